package org.fedmesh.node.model;

/**
 * The FedProx proximal term (Li et al., 2020): {@code mu/2 * |w - w_global|^2} added to the local
 * objective keeps a member with skewed data from drifting far from the round's global model.
 */
final class FedProx {

  private FedProx() {
  }

  /** Adds the term's gradient {@code mu * (w - center)} to {@code gradient}. */
  static void addGradient(float[] gradient, float[] parameters, float[] center, float mu) {
    for (int i = 0; i < gradient.length; i++) {
      gradient[i] += mu * (parameters[i] - center[i]);
    }
  }
}
