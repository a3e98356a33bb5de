package org.fedmesh.node.privacy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToDoubleFunction;

/**
 * What a training run spends of its differential-privacy budget, and how long it may run within one.
 *
 * <p>Record level: DP-SGD inside a member, where each step samples every record with probability {@code
 * sampleRate} (Poisson sampling), clips per-record gradients to norm C and adds N(0, (noise·C)²) noise. Accounted in
 * Rényi DP at {@link #ORDERS} and converted with {@link RdpConversion#IMPROVED}.
 *
 * <p>Member level: every round, each member's whole clipped update gets Gaussian noise with multiplier {@code noise}
 * and every member takes part (no sampling). Accounted exactly as Gaussian DP.
 *
 * <p>Inputs are checked together and every problem is named in one {@link IllegalArgumentException}.
 */
public final class PrivacyAccountant {
  /**
   * The Rényi orders tried: fine steps where the optimum of usual DP-SGD settings lies (between 2 and 12 for ε of a
   * few units), coarse ones beyond for very small ε and large noise.
   */
  static final double[] ORDERS = {
      1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 12,
      14, 16, 20, 24, 28, 32, 48, 64, 128, 256, 512};

  /** {@link DpGuarantee#method()} of member-level guarantees. */
  public static final String EXACT_GAUSSIAN = "exact-gaussian";

  private PrivacyAccountant() {}

  /** The Rényi orders tried, smallest first. */
  public static double[] orders() {
    return ORDERS.clone();
  }

  /** ε after {@code steps} DP-SGD steps, improved conversion: the figure training checks against its budget. */
  public static DpGuarantee recordLevel(double noise, double sampleRate, long steps, double delta) {
    return recordLevel(noise, sampleRate, steps, delta, RdpConversion.IMPROVED);
  }

  /** ε after {@code steps} DP-SGD steps, with the conversion asked for (the classic one for comparison with older figures). */
  public static DpGuarantee recordLevel(double noise, double sampleRate, long steps, double delta,
      RdpConversion conversion) {
    new Checks().noise(noise).sampleRate(sampleRate).count("steps", steps).delta(delta).throwIfAny();
    return RdpCurve.sampledGaussian(sampleRate, noise, ORDERS).after(steps, delta, conversion);
  }

  /** ε after {@code rounds} rounds of Gaussian noise on each member's whole update. */
  public static DpGuarantee memberLevel(double noise, long rounds, double delta) {
    new Checks().noise(noise).count("rounds", rounds).delta(delta).throwIfAny();
    return new DpGuarantee(GaussianDp.epsilon(mu(noise, rounds), delta), delta, Double.NaN, EXACT_GAUSSIAN);
  }

  /**
   * The most DP-SGD steps whose record-level ε stays within {@code epsilonBudget}: one more step would exceed it.
   * Zero if even one step would; {@link Long#MAX_VALUE} if no step count representable would.
   */
  public static long maxSteps(double noise, double sampleRate, double delta, double epsilonBudget) {
    new Checks().noise(noise).sampleRate(sampleRate).delta(delta).budget(epsilonBudget).throwIfAny();
    RdpCurve curve = RdpCurve.sampledGaussian(sampleRate, noise, ORDERS);
    return largestWithin(steps -> curve.after(steps, delta, RdpConversion.IMPROVED).epsilon(), epsilonBudget);
  }

  /** The most rounds whose member-level ε stays within {@code epsilonBudget}, as {@link #maxSteps} for steps. */
  public static long maxRounds(double noise, double delta, double epsilonBudget) {
    new Checks().noise(noise).delta(delta).budget(epsilonBudget).throwIfAny();
    return largestWithin(rounds -> GaussianDp.epsilon(mu(noise, rounds), delta), epsilonBudget);
  }

  private static double mu(double noise, long rounds) {
    return Math.sqrt((double) rounds) / noise;
  }

  /**
   * The largest n with epsilon(n) <= budget, for epsilon growing with n and epsilon(0) = 0: doubling finds a count
   * over budget, then bisection keeps one end within it and the other over it until they are adjacent, so the
   * answer is within budget and the next count is not, whatever rounding does to epsilon in between.
   */
  static long largestWithin(LongToDoubleFunction epsilon, double budget) {
    long within = 0;
    long over = 1;
    while (epsilon.applyAsDouble(over) <= budget) {
      within = over;
      if (over == Long.MAX_VALUE) {
        return Long.MAX_VALUE;
      }
      over = over > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : over * 2;
    }
    while (over - within > 1) {
      long middle = within + (over - within) / 2;
      if (epsilon.applyAsDouble(middle) <= budget) {
        within = middle;
      } else {
        over = middle;
      }
    }
    return within;
  }

  /** Collects every problem with the inputs, so that a caller fixes them in one go. */
  private static final class Checks {
    private final List<String> problems = new ArrayList<>();

    Checks noise(double noise) {
      if (!(noise > 0) || noise == Double.POSITIVE_INFINITY) {
        problems.add("noise multiplier must be positive and finite, got " + noise);
      }
      return this;
    }

    Checks sampleRate(double q) {
      if (!(q > 0 && q <= 1)) {
        problems.add("sample rate must be in (0, 1], got " + q);
      }
      return this;
    }

    Checks count(String name, long count) {
      if (count < 0) {
        problems.add(name + " must be at least 0, got " + count);
      }
      return this;
    }

    Checks delta(double delta) {
      if (!(delta > 0 && delta < 1)) {
        problems.add("delta must be in (0, 1), got " + delta);
      }
      return this;
    }

    Checks budget(double epsilon) {
      if (!(epsilon >= 0) || epsilon == Double.POSITIVE_INFINITY) {
        problems.add("epsilon budget must be at least 0 and finite, got " + epsilon);
      }
      return this;
    }

    void throwIfAny() {
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", problems));
      }
    }
  }
}
