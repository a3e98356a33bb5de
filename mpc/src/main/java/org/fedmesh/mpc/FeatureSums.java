package org.fedmesh.mpc;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-feature sums over a set of rows: what a member puts into the secure sum so that the consortium learns every
 * feature's mean and variance over all members' rows, and no member's own.
 *
 * @param rows          how many rows were summed
 * @param sums          per feature, the sum of its values
 * @param sumsOfSquares per feature, the sum of its squared values
 */
public record FeatureSums(long rows, double[] sums, double[] sumsOfSquares) {

  public FeatureSums {
    Objects.requireNonNull(sums, "sums");
    Objects.requireNonNull(sumsOfSquares, "sumsOfSquares");
    if (sums.length != sumsOfSquares.length) {
      throw new IllegalArgumentException(sums.length + " sums for " + sumsOfSquares.length + " sums of squares");
    }
  }

  /** The sums over {@code rows} rows of {@code cols} features, row-major; a non-finite value is refused by name. */
  public static FeatureSums of(float[] features, int rows, int cols, String source) {
    if ((long) rows * cols != features.length) {
      throw new IllegalArgumentException(source + ": " + features.length + " values for " + rows + " rows of "
          + cols + " features");
    }
    double[] sums = new double[cols];
    double[] squares = new double[cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double x = features[r * cols + c];
        if (!Double.isFinite(x)) {
          throw new InvalidUpdateException(source + ": row " + r + ", feature " + c + " is " + x
              + "; only finite values can be summed");
        }
        sums[c] += x;
        squares[c] += x * x;
      }
    }
    return new FeatureSums(rows, sums, squares);
  }

  public int features() {
    return sums.length;
  }

  /** Feature {@code c}'s mean over the rows. */
  public double mean(int c) {
    return sums[c] / rows;
  }

  /**
   * Feature {@code c}'s population variance over the rows, never negative (rounding in E[x^2] - mean^2 can make a
   * constant feature's slightly so).
   */
  public double variance(int c) {
    double mean = mean(c);
    return Math.max(0, sumsOfSquares[c] / rows - mean * mean);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FeatureSums that && rows == that.rows && Arrays.equals(sums, that.sums)
        && Arrays.equals(sumsOfSquares, that.sumsOfSquares);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(rows) + Arrays.hashCode(sums)) + Arrays.hashCode(sumsOfSquares);
  }

  @Override
  public String toString() {
    return "FeatureSums[rows=" + rows + ", features=" + sums.length + "]";
  }
}
