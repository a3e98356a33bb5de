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

  /** Copies the gradient of the last {@link #lossAndGradient} into {@code into}. */
  void readGradient(float[] into);

  /** The logits of rows {@code order[from..from+count)}, row-major, {@code count x outputs} (or longer). */
  double[] logits(Dataset data, int[] order, int from, int count);

  /** The loss and prediction the logits feed. */
  OutputHead head();

  @Override
  void close();
}
