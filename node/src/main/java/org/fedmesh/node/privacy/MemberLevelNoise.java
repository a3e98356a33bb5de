package org.fedmesh.node.privacy;

/**
 * Member-level differential privacy, distributed: each member clips its whole update to norm C and adds its share of
 * Gaussian noise, N(0, (z·C)² / shares) per coordinate. Any {@code shares} of them together hold noise of standard
 * deviation z·C: a sum that commits holds at least min-participants shares, and a coalition that subtracts its own
 * (up to min-participants - shares members) leaves at least {@code shares}. No single share is enough on its own.
 */
public final class MemberLevelNoise {
  /**
   * Tail bound for a share's norm: a chi-square with D degrees of freedom exceeds D + 2√(D·t) + 2t with probability
   * at most e^-t (Laurent and Massart 2000); t = 40 makes that about 4e-18.
   */
  private static final double TAIL = 40;

  private final double clip;
  private final double shareSigma;
  private final PrivateRandom random;

  /**
   * @param settings member-level settings
   * @param shares   how many members' shares make the whole noise: the smallest sum that can commit, less the
   *                 members that may collude (they know their own shares)
   */
  public MemberLevelNoise(DpSettings settings, int shares, PrivateRandom random) {
    if (settings.level() != DpSettings.Level.MEMBER) {
      throw new IllegalArgumentException("member-level noise for settings at level " + settings.level().key());
    }
    if (shares < 1) {
      throw new IllegalArgumentException("noise shares must be at least 1, got " + shares);
    }
    this.clip = settings.clip();
    this.shareSigma = shareSigma(settings, shares);
    this.random = random;
  }

  /** The update clipped to norm C plus this member's noise share; {@code delta} is not modified. */
  public float[] apply(float[] delta) {
    double sumOfSquares = 0;
    for (float v : delta) {
      sumOfSquares += (double) v * v;
    }
    double norm = Math.sqrt(sumOfSquares);
    double shrink = norm > clip ? clip / norm : 1;
    float[] noisy = new float[delta.length];
    for (int j = 0; j < delta.length; j++) {
      noisy[j] = (float) (delta[j] * shrink + shareSigma * random.nextGaussian());
    }
    return noisy;
  }

  /** Standard deviation of this member's share, per coordinate. */
  public double shareSigma() {
    return shareSigma;
  }

  /**
   * A norm a noisy update of {@code parameters} coordinates stays under except with probability about 4e-18. The
   * encoding must not clip below it: clipping the noisy update would scale this member's noise with its data.
   */
  public double normBound(int parameters) {
    return normBound(clip, shareSigma, parameters);
  }

  /** {@link #normBound(int)} for these settings and shares, before any noise source exists. */
  public static double normBound(DpSettings settings, int shares, int parameters) {
    return normBound(settings.clip(), shareSigma(settings, shares), parameters);
  }

  /** z·C / √shares: the shares' variances add up to (z·C)². */
  private static double shareSigma(DpSettings settings, int shares) {
    return settings.noise() * settings.clip() / Math.sqrt(shares);
  }

  private static double normBound(double clip, double shareSigma, int parameters) {
    double d = parameters;
    return clip + shareSigma * Math.sqrt(d + 2 * Math.sqrt(d * TAIL) + 2 * TAIL);
  }
}
