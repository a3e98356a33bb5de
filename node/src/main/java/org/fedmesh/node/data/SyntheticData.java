package org.fedmesh.node.data;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.rng.UniformRandomProvider;

/** Seeded artificial data sets whose difficulty is known, for tests and demos without real data. */
public final class SyntheticData {

  /** Noise is N(0, 1) per feature; class centres are at least this far apart, so a linear model
   *  confuses two neighbouring classes with probability about Phi(-3) = 0.13 %. */
  private static final double MIN_CENTRE_DISTANCE = 6.0;

  private SyntheticData() {
  }

  /**
   * Gaussian blobs: one centre per class, rows with unit-variance noise around it. Classes are
   * balanced (row {@code i} has class {@code i % classes}) and linearly separable up to ~1 % error.
   */
  public static Dataset classification(long seed, int rows, int cols, int classes) {
    if (rows < 1 || cols < 1 || classes < 2) {
      throw new IllegalArgumentException("need rows >= 1, cols >= 1, classes >= 2; got " + rows + ", "
          + cols + ", " + classes);
    }
    UniformRandomProvider rng = Seeds.rng(seed);
    double[][] centres = separatedCentres(rng, cols, classes);
    float[] features = new float[Math.multiplyExact(rows, cols)];
    float[] targets = new float[rows];
    for (int r = 0; r < rows; r++) {
      int c = r % classes;
      targets[r] = c;
      for (int j = 0; j < cols; j++) {
        features[r * cols + j] = (float) (centres[c][j] + Seeds.gaussian(rng));
      }
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      names.add("class" + c);
    }
    return new Dataset("synthetic", features, rows, cols, targets, classes, names);
  }

  /**
   * A linear target: {@code y = w . x + b + noise * N(0, 1)} with x, w and b standard normal.
   */
  public static Dataset regression(long seed, int rows, int cols, double noise) {
    if (rows < 1 || cols < 1 || !(noise >= 0) || !Double.isFinite(noise)) {
      throw new IllegalArgumentException("need rows >= 1, cols >= 1, finite noise >= 0; got " + rows
          + ", " + cols + ", " + noise);
    }
    UniformRandomProvider rng = Seeds.rng(seed);
    double[] w = new double[cols];
    for (int j = 0; j < cols; j++) {
      w[j] = Seeds.gaussian(rng);
    }
    double b = Seeds.gaussian(rng);
    float[] features = new float[Math.multiplyExact(rows, cols)];
    float[] targets = new float[rows];
    for (int r = 0; r < rows; r++) {
      double y = b + noise * Seeds.gaussian(rng);
      for (int j = 0; j < cols; j++) {
        float x = (float) Seeds.gaussian(rng);
        features[r * cols + j] = x;
        y += w[j] * x;
      }
      targets[r] = (float) y;
    }
    return new Dataset("synthetic-regression", features, rows, cols, targets, 0, List.of());
  }

  /** Random centres, redrawn (and spread wider after many failures) until all are far enough apart. */
  private static double[][] separatedCentres(UniformRandomProvider rng, int cols, int classes) {
    double spread = MIN_CENTRE_DISTANCE;
    double[][] centres = new double[classes][cols];
    for (int attempt = 1; ; attempt++) {
      for (double[] centre : centres) {
        for (int j = 0; j < cols; j++) {
          centre[j] = spread * Seeds.gaussian(rng);
        }
      }
      if (minDistance(centres) >= MIN_CENTRE_DISTANCE) {
        return centres;
      }
      if (attempt % 20 == 0) {
        spread *= 1.25;
      }
    }
  }

  private static double minDistance(double[][] points) {
    double min = Double.POSITIVE_INFINITY;
    for (int a = 0; a < points.length; a++) {
      for (int b = a + 1; b < points.length; b++) {
        double d2 = 0;
        for (int j = 0; j < points[a].length; j++) {
          double d = points[a][j] - points[b][j];
          d2 += d * d;
        }
        min = Math.min(min, Math.sqrt(d2));
      }
    }
    return min;
  }
}
