package org.fedmesh.node.data;

import java.util.Arrays;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.PermutationSampler;

/** Seeded train/test splits. */
public final class Splits {

  private Splits() {
  }

  /**
   * Holds out {@code testFraction} of the rows. Classification splits are stratified: each class
   * contributes {@code round(testFraction * its rows)} test rows, so both sides keep the class mix.
   * Both sides keep the original row order.
   */
  public static TrainTest trainTest(Dataset data, double testFraction, long seed) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("testFraction must be in (0, 1), got " + testFraction);
    }
    UniformRandomProvider rng = Seeds.rng(seed);
    boolean[] isTest = new boolean[data.rows()];
    for (int[] group : groups(data)) {
      PermutationSampler.shuffle(rng, group);
      int testRows = (int) Math.round(testFraction * group.length);
      for (int i = 0; i < testRows; i++) {
        isTest[group[i]] = true;
      }
    }
    int[] test = indicesWhere(isTest, true);
    int[] train = indicesWhere(isTest, false);
    if (test.length == 0 || train.length == 0) {
      throw new IllegalArgumentException("a test fraction of " + testFraction + " of " + data.rows()
          + " rows leaves " + train.length + " training and " + test.length + " test rows");
    }
    return new TrainTest(data.subset(train, data.name() + "-train"), data.subset(test, data.name() + "-test"));
  }

  /** Row indices per class for classification, or all rows as one group for regression. */
  static int[][] groups(Dataset data) {
    if (!data.isClassification()) {
      return new int[][] {PermutationSampler.natural(data.rows())};
    }
    int[] counts = data.labelCounts();
    int[][] groups = new int[counts.length][];
    for (int c = 0; c < counts.length; c++) {
      groups[c] = new int[counts[c]];
    }
    int[] filled = new int[counts.length];
    for (int r = 0; r < data.rows(); r++) {
      int c = data.label(r);
      groups[c][filled[c]++] = r;
    }
    return groups;
  }

  private static int[] indicesWhere(boolean[] flags, boolean value) {
    int[] out = new int[flags.length];
    int n = 0;
    for (int i = 0; i < flags.length; i++) {
      if (flags[i] == value) {
        out[n++] = i;
      }
    }
    return Arrays.copyOf(out, n);
  }
}
