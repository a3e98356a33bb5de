package org.fedmesh.node.data;

import java.util.Arrays;

/**
 * A per-column affine map {@code (x - shift) / divisor} of the features (targets are left alone).
 *
 * <p>In federated training each member fits on its own data only, or the consortium agrees on fixed
 * constants such as {@code divideBy(255)} for pixels.
 */
public final class Scaler {

  /** Per-column shift and divisor; null means "the same for every column" ({@link #divideBy}). */
  private final float[] shift;
  private final float[] divisor;
  private final float uniformDivisor;

  private Scaler(float[] shift, float[] divisor, float uniformDivisor) {
    this.shift = shift;
    this.divisor = divisor;
    this.uniformDivisor = uniformDivisor;
  }

  /**
   * Zero mean and unit variance per column of {@code fitOn}; constant columns are only centred
   * (standard deviation taken as 1), since dividing by zero would make them infinite.
   */
  public static Scaler standardize(Dataset fitOn) {
    int rows = fitOn.rows();
    int cols = fitOn.cols();
    if (rows == 0) {
      throw new IllegalArgumentException("cannot fit a scaler on the empty data set " + fitOn.name());
    }
    float[] features = fitOn.features();
    double[] mean = new double[cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        mean[c] += features[r * cols + c];
      }
    }
    for (int c = 0; c < cols; c++) {
      mean[c] /= rows;
    }
    // Two passes: the one-pass formula loses all precision on columns with a large mean.
    double[] variance = new double[cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double d = features[r * cols + c] - mean[c];
        variance[c] += d * d;
      }
    }
    float[] shift = new float[cols];
    float[] divisor = new float[cols];
    for (int c = 0; c < cols; c++) {
      shift[c] = (float) mean[c];
      float std = (float) Math.sqrt(variance[c] / rows);
      // A spread below a millionth of the mean is rounding noise: the column is constant.
      boolean constant = std < Float.MIN_NORMAL || std <= 1e-6f * Math.abs(shift[c]);
      divisor[c] = constant ? 1f : std;
    }
    return new Scaler(shift, divisor, 1f);
  }

  /** Divides every feature by {@code c}, e.g. 255 for 8-bit pixels. */
  public static Scaler divideBy(float c) {
    if (!Float.isFinite(c) || c == 0) {
      throw new IllegalArgumentException("divisor must be finite and non-zero, got " + c);
    }
    return new Scaler(null, null, c);
  }

  /**
   * The map as numbers, to write down with an exported model: per column {@code shift} and {@code divisor}, or
   * (both null) one {@code uniformDivisor} for every column. {@link #of} makes the same map again.
   */
  public record Description(float[] shift, float[] divisor, float uniformDivisor) {}

  public Description describe() {
    return new Description(shift == null ? null : shift.clone(), divisor == null ? null : divisor.clone(),
        uniformDivisor);
  }

  /** The scaler {@code d} describes: applying it gives exactly what the described scaler gave. */
  public static Scaler of(Description d) {
    if (d.shift() == null) {
      return divideBy(d.uniformDivisor());
    }
    if (d.divisor() == null || d.shift().length != d.divisor().length) {
      throw new IllegalArgumentException("a per-column scaler needs as many divisors as shifts");
    }
    for (float v : d.divisor()) {
      if (!Float.isFinite(v) || v == 0) {
        throw new IllegalArgumentException("divisor must be finite and non-zero, got " + v);
      }
    }
    return new Scaler(d.shift().clone(), d.divisor().clone(), 1f);
  }

  public Dataset apply(Dataset data) {
    int cols = data.cols();
    if (shift != null && shift.length != cols) {
      throw new IllegalArgumentException("scaler fitted on " + shift.length + " columns, " + data.name()
          + " has " + cols);
    }
    float[] in = data.features();
    float[] out = new float[in.length];
    for (int i = 0; i < in.length; i++) {
      int c = i % cols;
      float v = shift == null ? in[i] / uniformDivisor : (in[i] - shift[c]) / divisor[c];
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException(data.name() + ": scaling row " + (i / cols) + ", column " + c
            + " (" + in[i] + ") overflows the float range");
      }
      out[i] = v;
    }
    return new Dataset(data.name(), out, data.rows(), cols, data.targets(), data.numClasses(), data.classNames());
  }

  @Override
  public String toString() {
    return shift == null ? "Scaler[divideBy " + uniformDivisor + "]"
        : "Scaler[standardize, mean " + Arrays.toString(shift) + ", std " + Arrays.toString(divisor) + "]";
  }
}
