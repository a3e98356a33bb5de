package org.fedmesh.deploy.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The samples/s of one implementation's timed passes, in order: their median and spread, and whether they have
 * settled (the last {@link #WINDOW} passes within {@link #TOLERANCE} of their own median), which tells a benchmark
 * on a shared machine when to stop repeating.
 */
final class PassFigures {
  static final int WINDOW = 3;
  static final double TOLERANCE = 0.05;

  private final List<Double> passes = new ArrayList<>();

  void add(double samplesPerSecond) {
    passes.add(samplesPerSecond);
  }

  List<Double> passes() {
    return List.copyOf(passes);
  }

  boolean isEmpty() {
    return passes.isEmpty();
  }

  double median() {
    return median(passes);
  }

  double min() {
    return passes.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  double max() {
    return passes.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** (max - min) / median over all passes. */
  double relativeSpread() {
    return (max() - min()) / median();
  }

  boolean settled() {
    if (passes.size() < WINDOW) {
      return false;
    }
    List<Double> last = passes.subList(passes.size() - WINDOW, passes.size());
    double median = median(last);
    return last.stream().allMatch(p -> Math.abs(p - median) <= TOLERANCE * median);
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  @Override
  public String toString() {
    return Arrays.toString(passes.stream().mapToLong(Math::round).toArray());
  }
}
