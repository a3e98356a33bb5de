package org.fedmesh.node.round;

/** Told about each round this member commits; called on the participant's thread, so it must return quickly. */
@FunctionalInterface
public interface CommitListener {
  void committed(String nodeId, ModelState model, double meanTrainingLoss);

  CommitListener NONE = (nodeId, model, loss) -> { };
}
