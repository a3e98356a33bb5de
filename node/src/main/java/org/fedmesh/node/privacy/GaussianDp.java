package org.fedmesh.node.privacy;

/**
 * Gaussian differential privacy (Dong, Roth, Su 2022): a mechanism is μ-GDP when telling neighbours apart from its
 * output is no easier than telling N(0, 1) from N(μ, 1). A Gaussian mechanism with noise multiplier z is (1/z)-GDP,
 * and T of them compose exactly to (√T / z)-GDP, with no slack lost in the composition.
 */
final class GaussianDp {
  /** The bisection stops when its bracket is this narrow relative to ε. */
  private static final double RELATIVE_TOLERANCE = 1e-13;

  private GaussianDp() {}

  /**
   * The δ at which μ-GDP gives (ε, δ)-DP (their Corollary 2.13): δ(ε) = Φ(-ε/μ + μ/2) - e^ε Φ(-ε/μ - μ/2). It is
   * computed as Φ(a)·(1 - e^(ε + log Φ(b) - log Φ(a))): the ratio is below 1, and this form keeps the digits of a
   * small difference of two small numbers.
   */
  static double delta(double mu, double epsilon) {
    double logFirst = LogNormalCdf.logPhi(-epsilon / mu + mu / 2);
    double logSecond = epsilon + LogNormalCdf.logPhi(-epsilon / mu - mu / 2);
    return Math.exp(logFirst) * -Math.expm1(logSecond - logFirst);
  }

  /**
   * The smallest ε with δ(ε) <= {@code delta}, by bisection on δ(ε), which falls as ε grows. The answer is the upper
   * end of the final bracket, the end where δ(ε) is already within the target, so ε is never understated.
   */
  static double epsilon(double mu, double delta) {
    if (mu == 0 || delta(mu, 0) <= delta) {
      return 0;
    }
    if (mu == Double.POSITIVE_INFINITY) {
      return Double.POSITIVE_INFINITY; // noise so small against the rounds that √T / z overflows
    }
    double low = 0;
    double high = 1;
    while (delta(mu, high) > delta) {
      low = high;
      high *= 2;
    }
    while (high - low > RELATIVE_TOLERANCE * high) {
      double middle = low + (high - low) / 2;
      if (middle <= low || middle >= high) {
        break; // adjacent doubles
      }
      if (delta(mu, middle) > delta) {
        low = middle;
      } else {
        high = middle;
      }
    }
    return high;
  }
}
