package org.fedmesh.node.round;

import org.fedmesh.mpc.DecodedSum;

/**
 * Told about each round this member commits; called on the participant's thread, so it must return quickly. As a
 * {@link RoundObserver} it may also follow the steps before a commit (nothing by default).
 */
@FunctionalInterface
public interface CommitListener extends RoundObserver {
  void committed(String nodeId, ModelState model, double meanTrainingLoss);

  /** Told what the secure evaluation in a committed round's sum found; nothing by default. */
  default void evaluated(String nodeId, SecureEvaluation evaluation) {}

  /** A commit with the sum it came from: the training loss, then the secure evaluation if the sum carries one. */
  default void committed(String nodeId, ModelState model, DecodedSum sum) {
    committed(nodeId, model, sum.meanLoss());
    if (sum.counts().length > 0) {
      evaluated(nodeId, SecureEvaluation.fromCounts(model.round() - 1, sum.counts()));
    }
  }

  CommitListener NONE = (nodeId, model, loss) -> { };
}
