package org.fedmesh.node.privacy;

/**
 * A running sum of terms given as a logarithm and a sign. Terms range from e^-700 to e^+700 within one sum, so it is
 * kept as a scale (the largest term's logarithm) times a mantissa near 1.
 */
final class SignedLogSum {
  private double logScale = Double.NEGATIVE_INFINITY;
  private double mantissa;

  void add(double logMagnitude, boolean positive) {
    if (Double.isNaN(logMagnitude) || logMagnitude == Double.POSITIVE_INFINITY) {
      throw new ArithmeticException("term out of range: log magnitude " + logMagnitude);
    }
    if (logMagnitude == Double.NEGATIVE_INFINITY) {
      return; // a term that is exactly zero
    }
    if (logMagnitude > logScale) {
      mantissa *= Math.exp(logScale - logMagnitude);
      logScale = logMagnitude;
    }
    double scaled = Math.exp(logMagnitude - logScale);
    mantissa += positive ? scaled : -scaled;
  }

  /** The logarithm of the sum so far: negative infinity for an empty sum, NaN if the sum is negative. */
  double log() {
    if (mantissa == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    return mantissa > 0 ? logScale + Math.log(mantissa) : Double.NaN;
  }
}
