package org.fedmesh.node.round;

/**
 * Where a member's update comes from: local training on its own data. Called off the actor threads (on the
 * training dispatcher), one call at a time.
 */
public interface LocalUpdates {

  int parameterCount();

  /** The round-0 model; must be the same on every member (it is derived from the shared model seed). */
  float[] initialParameters();

  /** Trains from the global parameters of the previous round; the update is new parameters minus global. */
  LocalUpdate train(float[] globalParameters, long round);

  /**
   * How many counts each update carries for the secure evaluation ({@link SecureEvaluation}); every member's must
   * be the same (it follows from the model, which they share). 0: none. No default: a wrapper that forgot to pass
   * it on would make its member's vectors a different length from everyone else's.
   */
  int evaluationSlots();

  /**
   * A member's contribution before encoding: kept only on this node.
   *
   * @param evaluationCounts the model it trained from, judged on this member's held-out rows: correct predictions
   *                         per class, then rows per class ({@link SecureEvaluation}); empty when it has none
   */
  record LocalUpdate(float[] delta, long samples, double meanLoss, long[] evaluationCounts) {
    public LocalUpdate(float[] delta, long samples, double meanLoss) {
      this(delta, samples, meanLoss, new long[0]);
    }
  }
}
