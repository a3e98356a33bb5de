package org.fedmesh.node.data;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A table of examples held in memory.
 *
 * <p>{@code features} is row-major, {@code rows x cols}. For classification ({@code numClasses >= 2})
 * each target is a class index in {@code 0..numClasses-1} and {@code classNames} names every class;
 * for regression ({@code numClasses == 0}) each target is the value to predict and {@code classNames}
 * is empty.
 *
 * <p>The arrays are not copied (a Fashion-MNIST training set is 188 MB): the dataset owns them and
 * nobody may change them afterwards. Every constructor call validates shapes, finiteness and labels,
 * so a {@code Dataset} in hand is always well formed.
 */
public record Dataset(String name, float[] features, int rows, int cols, float[] targets, int numClasses,
           List<String> classNames) {

  public Dataset {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(classNames, "classNames");
    if (rows < 0) {
      throw new IllegalArgumentException(name + ": rows must be >= 0, got " + rows);
    }
    if (cols < 1) {
      throw new IllegalArgumentException(name + ": cols must be >= 1, got " + cols);
    }
    if ((long) rows * cols != features.length) {
      throw new IllegalArgumentException(name + ": " + features.length + " feature values for "
          + rows + " x " + cols);
    }
    if (targets.length != rows) {
      throw new IllegalArgumentException(name + ": " + targets.length + " targets for " + rows + " rows");
    }
    if (numClasses == 1 || numClasses < 0) {
      throw new IllegalArgumentException(name + ": numClasses must be 0 (regression) or >= 2, got "
          + numClasses);
    }
    classNames = List.copyOf(classNames);
    if (classNames.size() != numClasses) {
      throw new IllegalArgumentException(name + ": " + classNames.size() + " class names for "
          + numClasses + " classes");
    }
    for (int i = 0; i < features.length; i++) {
      if (!Float.isFinite(features[i])) {
        throw new IllegalArgumentException(name + ": feature at row " + (i / cols) + ", column "
            + (i % cols) + " is not finite: " + features[i]);
      }
    }
    for (int r = 0; r < rows; r++) {
      float t = targets[r];
      if (!Float.isFinite(t)) {
        throw new IllegalArgumentException(name + ": target of row " + r + " is not finite: " + t);
      }
      if (numClasses > 0 && (t != (int) t || t < 0 || t >= numClasses)) {
        throw new IllegalArgumentException(name + ": label of row " + r + " is " + t
            + ", expected a class index in 0.." + (numClasses - 1));
      }
    }
  }

  public boolean isClassification() {
    return numClasses > 0;
  }

  /** Class index of a row; only for classification. */
  public int label(int row) {
    requireClassification();
    return (int) targets[row];
  }

  /** The rows at the given indices, in that order (an index may repeat). */
  public Dataset subset(int[] rowIndices) {
    return subset(rowIndices, name);
  }

  /** Like {@link #subset(int[])}, under another name (one validation pass instead of two). */
  Dataset subset(int[] rowIndices, String newName) {
    float[] f = new float[Math.multiplyExact(rowIndices.length, cols)];
    float[] t = new float[rowIndices.length];
    for (int i = 0; i < rowIndices.length; i++) {
      int r = rowIndices[i];
      Objects.checkIndex(r, rows);
      System.arraycopy(features, r * cols, f, i * cols, cols);
      t[i] = targets[r];
    }
    return new Dataset(newName, f, rowIndices.length, cols, t, numClasses, classNames);
  }

  /** The same rows under another name. */
  public Dataset withName(String newName) {
    return new Dataset(newName, features, rows, cols, targets, numClasses, classNames);
  }

  /**
   * The same rows with class indices taken from {@code agreed}, the consortium's list of classes: a member whose
   * data lacks a class still numbers the others as every member does, and its model has the same shape.
   *
   * @throws DataFormatException naming a class of this data that is not in the list
   */
  public Dataset withClasses(List<String> agreed) {
    requireClassification();
    if (agreed.size() < 2 || Set.copyOf(agreed).size() != agreed.size()) {
      throw new IllegalArgumentException("the consortium's class list needs at least 2 distinct classes: " + agreed);
    }
    int[] map = new int[numClasses];
    for (int c = 0; c < numClasses; c++) {
      map[c] = agreed.indexOf(classNames.get(c));
      if (map[c] < 0) {
        throw new DataFormatException(name, "class '" + classNames.get(c) + "' is not one of the consortium's"
            + " classes " + agreed);
      }
    }
    float[] relabelled = new float[rows];
    for (int r = 0; r < rows; r++) {
      relabelled[r] = map[(int) targets[r]];
    }
    return new Dataset(name, features, rows, cols, relabelled, agreed.size(), agreed);
  }

  /** How many rows carry each class index. */
  public int[] labelCounts() {
    requireClassification();
    int[] counts = new int[numClasses];
    for (float t : targets) {
      counts[(int) t]++;
    }
    return counts;
  }

  @Override
  public String toString() {
    return "Dataset[" + name + ", " + rows + " x " + cols
        + (isClassification() ? ", " + numClasses + " classes" : ", regression") + "]";
  }

  private void requireClassification() {
    if (!isClassification()) {
      throw new IllegalStateException(name + " is a regression data set: it has no class labels");
    }
  }
}
