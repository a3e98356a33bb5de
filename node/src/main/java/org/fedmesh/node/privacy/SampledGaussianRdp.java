package org.fedmesh.node.privacy;

/**
 * Rényi DP of one step of the Poisson-subsampled Gaussian mechanism, the step of DP-SGD: each record joins the batch
 * with probability q, the batch's sum of clipped gradients (sensitivity 1) gets N(0, σ²) noise on every coordinate,
 * and neighbouring data sets differ by one record added or removed. Following Mironov, Talwar and Zhang (2019,
 * Section 3), the RDP of order α is log(A_α) / (α - 1), where
 *
 * <pre>  A_α = E_{x ~ N(0, σ²)} [ ((1 - q) + q · e^{(2x - 1) / (2σ²)})^α ]</pre>
 *
 * is the α-th moment of the likelihood ratio of the mixture (1 - q)·N(0, σ²) + q·N(1, σ²) against N(0, σ²): the
 * divergence of the data set with the record from the one without it, which they show is the larger of the two
 * directions. Integer orders expand the power binomially; fractional orders use the paper's pair of convergent
 * series.
 */
final class SampledGaussianRdp {
  /** The largest integer order accepted: the expansion has one term per unit of order. */
  static final int MAX_INTEGER_ORDER = 100_000;

  /** Where a fractional series is cut at the latest; cutting it anywhere past α still bounds A_α from above. */
  private static final int MAX_SERIES_TERMS = 1_000_000;

  /** A series stops once its terms fall this far below its sum, in natural log: e^-37 is about 1e-16. */
  private static final double NEGLIGIBLE = 37;

  /**
   * Below this value of log A_α, a fractional series' result is mostly the rounding left over from terms near 1 that
   * nearly cancel (small q, large noise); the bound from the neighbouring integer orders is used instead.
   */
  private static final double SERIES_TRUSTED_FROM = 1e-6;

  /**
   * Relative allowance for rounding, added to every RDP the expansions give. Against 30-digit quadrature, integer
   * orders agree to about 1e-15; fractional orders lose about 1e-15 of log A_α in absolute terms to terms near 1
   * that cancel, which is 1e-10 of it at log A_α = 1e-5 and 1e-9 just above {@link #SERIES_TRUSTED_FROM}. Rounding
   * up by ten times that keeps rounding from ever passing for less privacy loss; it moves ε in the eighth digit.
   */
  static final double ROUNDING_ALLOWANCE = 1e-8;

  private SampledGaussianRdp() {}

  /**
   * RDP of order {@code order} of one step.
   *
   * @param q the sampling rate, in (0, 1]
   * @param noise the noise multiplier σ (noise standard deviation over clipping norm), positive
   * @param order the Rényi order α, above 1; integer orders at most {@link #MAX_INTEGER_ORDER}
   */
  static double rdp(double q, double noise, double order) {
    if (!(order > 1) || order == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException("Rényi order must be above 1 and finite, got " + order);
    }
    if (isInteger(order) && order > MAX_INTEGER_ORDER) {
      throw new IllegalArgumentException("integer Rényi orders go up to " + MAX_INTEGER_ORDER + ", got " + order);
    }
    if (q == 1) {
      return order / (2 * noise * noise); // the Gaussian mechanism itself (Mironov 2017)
    }
    double logA = isInteger(order) ? logAInteger(q, noise, (long) order) : logAFractional(q, noise, order);
    if (Double.isNaN(logA)) {
      throw new ArithmeticException("RDP of order " + order + " for q=" + q + ", noise=" + noise + " is not a number");
    }
    // A_α >= 1 (Jensen); a rounding below it must not pass for a negative privacy loss.
    return Math.max(0, logA / (order - 1)) * (1 + ROUNDING_ALLOWANCE);
  }

  private static boolean isInteger(double order) {
    return order == Math.rint(order);
  }

  /**
   * A_α = Σ_k C(α,k) (1-q)^(α-k) q^k e^(k(k-1)/(2σ²)). The binomial weights add up to 1 and the exponential is 1 at
   * k = 0 and 1, so A_α = 1 + Σ_{k≥2} C(α,k) (1-q)^(α-k) q^k (e^(k(k-1)/(2σ²)) - 1): every term of that excess is
   * positive, and summing it apart from the 1 keeps its digits when it is tiny (small q, large noise), where a sum
   * of terms near 1 would keep almost none.
   */
  private static double logAInteger(double q, double noise, long alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double twoVariance = 2 * noise * noise;
    SignedLogSum excess = new SignedLogSum();
    double logBinomial = Math.log(alpha) + Math.log(alpha - 1) - Math.log(2); // C(α, 2)
    for (long k = 2; k <= alpha; k++) {
      double kd = k;
      double exponent = kd * (kd - 1) / twoVariance;
      excess.add(logBinomial + (alpha - k) * log1mQ + kd * logQ + logExpm1(exponent), true);
      logBinomial += Math.log(alpha - k) - Math.log(kd + 1);
    }
    return log1pExp(excess.log());
  }

  /**
   * The integral is split at z0, where (1 - q) = q·r(x) for the likelihood ratio r(x) = e^((2x - 1)/(2σ²)). Below
   * z0, (1 - q + q·r)^α is expanded in powers of q·r / (1 - q), at most 1 there; above it in powers of
   * (1 - q) / (q·r). Each power of r against N(0, σ²) is a shifted Gaussian, so each half-line integral is a normal
   * tail:
   *
   * <pre>
   *   A_α = Σ_k C(α,k) (1-q)^(α-k) q^k     e^((k² - k)/(2σ²))         Φ((z0 - k)/σ)
   *       + Σ_k C(α,k) (1-q)^k     q^(α-k) e^(((α-k)² - (α-k))/(2σ²)) Φ((α - k - z0)/σ)</pre>
   *
   * Past k = α the generalized binomial coefficients alternate in sign and shrink, and the rest of each term is an
   * integral of a k-th power of a ratio at most 1, which falls with k. So whatever is left after stopping at term k
   * lies between zero and term k: adding term k when it is positive, and nothing when it is negative, leaves an upper
   * bound on A_α.
   */
  private static double logAFractional(double q, double noise, double alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double twoVariance = 2 * noise * noise;
    double z0 = noise * noise * (log1mQ - logQ) + 0.5;
    SignedLogSum sum = new SignedLogSum();
    double logBinomial = 0; // |C(α, 0)|
    boolean positive = true;
    for (int k = 0; ; k++) {
      double kd = k;
      double rest = alpha - kd;
      double below = logBinomial + rest * log1mQ + kd * logQ + (kd * kd - kd) / twoVariance
          + LogNormalCdf.logPhi((z0 - kd) / noise);
      double above = logBinomial + kd * log1mQ + rest * logQ + (rest * rest - rest) / twoVariance
          + LogNormalCdf.logPhi((rest - z0) / noise);
      if (rest < 0 && (Math.max(below, above) < sum.log() - NEGLIGIBLE || k == MAX_SERIES_TERMS)) {
        if (positive) {
          sum.add(below, true);
          sum.add(above, true);
        }
        break;
      }
      sum.add(below, positive);
      sum.add(above, positive);
      logBinomial += Math.log(Math.abs(rest)) - Math.log(kd + 1);
      if (rest < 0) {
        positive = !positive;
      }
    }
    double logA = sum.log();
    if (logA < SERIES_TRUSTED_FROM) {
      return interpolatedLogA(q, noise, alpha);
    }
    return logA;
  }

  /**
   * log A_α is convex in α (it is the cumulant generating function of the log likelihood ratio), so it lies below the
   * chord between the integer orders around α; at order 1, A is exactly 1.
   */
  private static double interpolatedLogA(double q, double noise, double alpha) {
    long floor = (long) Math.floor(alpha);
    double lower = floor == 1 ? 0 : logAInteger(q, noise, floor);
    double upper = logAInteger(q, noise, floor + 1);
    double t = alpha - floor;
    return (1 - t) * lower + t * upper;
  }

  /** log(e^x - 1) for x >= 0, without overflow for large x. */
  private static double logExpm1(double x) {
    return x > 1 ? x + Math.log(-Math.expm1(-x)) : Math.log(Math.expm1(x));
  }

  /** log(1 + e^x), without overflow for large x. */
  private static double log1pExp(double x) {
    return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  }
}
