package org.fedmesh.node.privacy;

import org.apache.commons.math3.special.Erf;

/**
 * The logarithm of the standard normal CDF, precise in both tails. The accountants multiply Φ of arguments far in
 * the lower tail by factors like e^300, so Φ itself, which underflows below about -38, would lose whole terms.
 */
final class LogNormalCdf {
  /**
   * Below this, log Φ comes from the asymptotic series of Mills' ratio, whose tenth term is already under 1e-17 here;
   * above it, from commons-math's erfc, whose result is still far from underflow (about 1e-89).
   */
  static final double SERIES_BELOW = -20;

  private static final double SQRT2 = Math.sqrt(2);
  private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

  private LogNormalCdf() {}

  static double logPhi(double x) {
    if (Double.isNaN(x)) {
      throw new IllegalArgumentException("log Phi of NaN");
    }
    if (x > 0) {
      return Math.log1p(-0.5 * Erf.erfc(x / SQRT2)); // 1 - Phi(-x), without rounding Phi(x) to 1 first
    }
    if (x >= SERIES_BELOW) {
      return Math.log(0.5 * Erf.erfc(-x / SQRT2));
    }
    if (x == Double.NEGATIVE_INFINITY) {
      return Double.NEGATIVE_INFINITY;
    }
    return tail(x);
  }

  /**
   * Φ(x) = φ(x) / |x| · (1 - 1/x² + 3/x⁴ - 15/x⁶ + ...). The series diverges eventually, but its terms keep falling
   * until the n-th with n near x²/2 (200 or more here), and its partial sums straddle the true value; stopping right
   * after a small positive term leaves the sum a hair above Φ, never below.
   */
  private static double tail(double x) {
    double inverseSquare = 1 / (x * x);
    double sum = 1;
    double term = 1;
    for (int n = 1; n < 64; n++) {
      term *= -(2 * n - 1) * inverseSquare;
      sum += term;
      if (term > 0 && term < 1e-17) {
        break;
      }
    }
    return -0.5 * x * x - LOG_SQRT_2PI - Math.log(-x) + Math.log(sum);
  }
}
