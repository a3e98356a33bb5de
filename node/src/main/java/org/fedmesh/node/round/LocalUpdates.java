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

  /** A member's contribution before encoding: kept only on this node. */
  record LocalUpdate(float[] delta, long samples, double meanLoss) {}
}
