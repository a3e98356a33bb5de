package org.fedmesh.node.round;

import org.fedmesh.mpc.FeatureSums;

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
   * Whether the model keeps the consortium's feature statistics ({@link ConsortiumScaling}); every member's must be
   * the same. No default, for the same reason as {@link #evaluationSlots}.
   */
  ConsortiumScaling consortiumScaling();

  /**
   * A member's contribution before encoding: kept only on this node.
   *
   * @param evaluationCounts the model it trained from, judged on this member's held-out rows: correct predictions
   *                         per class, then rows per class ({@link SecureEvaluation}); empty when it has none
   * @param featureSums      in the statistics round ({@link ConsortiumScaling}), this member's feature sums
   *                         instead of an update (delta empty); null in every other round
   */
  record LocalUpdate(float[] delta, long samples, double meanLoss, long[] evaluationCounts, FeatureSums featureSums) {
    public LocalUpdate(float[] delta, long samples, double meanLoss, long[] evaluationCounts) {
      this(delta, samples, meanLoss, evaluationCounts, null);
    }

    public LocalUpdate(float[] delta, long samples, double meanLoss) {
      this(delta, samples, meanLoss, new long[0]);
    }

    /** A member's contribution to the statistics round. */
    public static LocalUpdate statistics(FeatureSums sums) {
      return new LocalUpdate(new float[0], sums.rows(), 0, new long[0], sums);
    }
  }
}
