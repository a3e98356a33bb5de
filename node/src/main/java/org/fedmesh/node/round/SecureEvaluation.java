package org.fedmesh.node.round;

import java.util.Arrays;

/**
 * The consortium's accuracy on every member's held-out rows, from the secure sum: each member adds its correct
 * predictions and rows per class to the update it sends, so the sum reveals the totals and no member's own figures.
 * The counts of round R's updates judge the model they were trained from, round R - 1's.
 *
 * @param modelRound the round whose model was judged
 * @param correct    correct predictions per class, summed over members
 * @param rows       held-out rows per class, summed over members
 */
public record SecureEvaluation(long modelRound, long[] correct, long[] rows) {

  /** Reads the count slots of a decoded sum: {@code classes} correct counts, then {@code classes} row counts. */
  public static SecureEvaluation fromCounts(long modelRound, long[] counts) {
    if (counts.length % 2 != 0) {
      throw new IllegalArgumentException("evaluation counts come in pairs per class, got " + counts.length);
    }
    int classes = counts.length / 2;
    return new SecureEvaluation(modelRound, Arrays.copyOfRange(counts, 0, classes),
        Arrays.copyOfRange(counts, classes, counts.length));
  }

  public long totalRows() {
    return Arrays.stream(rows).sum();
  }

  /** Correct predictions over all held-out rows; NaN when no member has any. */
  public double accuracy() {
    long total = totalRows();
    return total == 0 ? Double.NaN : (double) Arrays.stream(correct).sum() / total;
  }

  /** Per class, NaN for a class no member holds out. */
  public double[] classAccuracy() {
    double[] accuracy = new double[rows.length];
    for (int c = 0; c < rows.length; c++) {
      accuracy[c] = rows[c] == 0 ? Double.NaN : (double) correct[c] / rows[c];
    }
    return accuracy;
  }
}
