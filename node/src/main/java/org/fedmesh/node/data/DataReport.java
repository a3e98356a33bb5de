package org.fedmesh.node.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a member's own data looks like, printed when it starts, for the people who run it: rows, how they were
 * split, the label distribution and features that carry nothing (the same value in every row). It stays on the
 * member: nothing of it is sent anywhere. Missing and invalid values never reach it: the loaders refuse a file with
 * any, naming file, line and column.
 */
public record DataReport(String source, int rows, int trainingRows, int heldOutRows, int features,
                         List<String> classNames, int[] labelCounts, List<Integer> constantFeatures) {

  /** The report of {@code loaded} (as read, before scaling) and how it was split. */
  public static DataReport of(Dataset loaded, TrainTest split) {
    List<Integer> constant = new ArrayList<>();
    float[] x = loaded.features();
    int cols = loaded.cols();
    for (int c = 0; c < cols; c++) {
      boolean same = true;
      for (int r = 1; r < loaded.rows() && same; r++) {
        same = x[r * cols + c] == x[c];
      }
      if (same) {
        constant.add(c);
      }
    }
    return new DataReport(loaded.name(), loaded.rows(), split.train().rows(), split.test().rows(), cols,
        loaded.isClassification() ? loaded.classNames() : List.of(),
        loaded.isClassification() ? loaded.labelCounts() : new int[0], List.copyOf(constant));
  }

  /** Lines for the log. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "Local data report for %s (stays on this member): %d rows (%d to train on,"
        + " %d held out), %d features; no missing or invalid values (the loader refuses any)", source, rows,
        trainingRows, heldOutRows, features));
    if (!classNames.isEmpty()) {
      StringBuilder labels = new StringBuilder("  labels:");
      for (int c = 0; c < classNames.size(); c++) {
        labels.append(String.format(Locale.ROOT, " %s %d (%.1f%%)%s", classNames.get(c), labelCounts[c],
            100.0 * labelCounts[c] / Math.max(1, rows), c < classNames.size() - 1 ? "," : ""));
      }
      lines.add(labels.toString());
      for (int c = 0; c < classNames.size(); c++) {
        if (labelCounts[c] == 0) {
          lines.add("  no rows of class '" + classNames.get(c) + "': this member can not teach the model that class");
        }
      }
    }
    if (!constantFeatures.isEmpty()) {
      lines.add(String.format(Locale.ROOT, "  %d feature(s) hold one value in every row (columns %s, counted from 0):"
          + " they tell the model nothing here", constantFeatures.size(), constantFeatures.size() > 20
          ? constantFeatures.subList(0, 20) + "..." : constantFeatures));
    }
    return lines;
  }
}
