package org.fedmesh.node.model;

import org.fedmesh.node.data.Dataset;

/**
 * Forward and backward passes of one model on batches of rows, behind {@link LocalTrainer}: the hand-written dense
 * passes ({@link Backprop}) or the convolutional network's ({@link ConvGradients}). Parameters go in and gradients
 * come out as flat vectors in the model's layout. Not thread-safe: one per trainer.
 */
interface Gradients extends AutoCloseable {

  void setParameters(float[] values);

  /**
   * Forward and backward over rows {@code order[from..from+count)}: keeps the gradient of the batch's mean loss for
   * {@link #readGradient} and returns that mean loss (NaN or infinite if training diverged).
   */
  double lossAndGradient(Dataset data, int[] order, int from, int count);

  /**
   * DP-SGD's per-record clipping over rows {@code order[from..from+count)}: adds to {@code sum} each of the first
   * {@code real} rows' own loss gradient, scaled down to norm {@code clip} if longer; the rows after them only pad
   * the batch to a size whose buffers exist, and count for nothing. Returns the real rows' summed loss. This
   * default runs one row at a time; a model with a faster exact way overrides it.
   */
  default double addClippedGradients(Dataset data, int[] order, int from, int count, int real, double clip,
      float[] sum) {
    return addClippedOneByOne(this, data, order, from, real, clip, sum);
  }

  /** {@link #addClippedGradients} by a pass per row: slow, obviously right, the reference for faster ways. */
  static double addClippedOneByOne(Gradients gradients, Dataset data, int[] order, int from, int real, double clip,
      float[] sum) {
    float[] row = new float[sum.length];
    double loss = 0;
    for (int i = 0; i < real; i++) {
      loss += gradients.lossAndGradient(data, order, from + i, 1);
      gradients.readGradient(row);
      double squares = 0;
      for (float v : row) {
        squares += (double) v * v;
      }
      double norm = Math.sqrt(squares);
      double shrink = norm > clip ? clip / norm : 1;
      for (int j = 0; j < sum.length; j++) {
        sum[j] += (float) (row[j] * shrink);
      }
    }
    return loss;
  }

  /** Copies the gradient of the last {@link #lossAndGradient} into {@code into}. */
  void readGradient(float[] into);

  /** The logits of rows {@code order[from..from+count)}, row-major, {@code count x outputs} (or longer). */
  double[] logits(Dataset data, int[] order, int from, int count);

  /** The loss and prediction the logits feed. */
  OutputHead head();

  @Override
  void close();
}
