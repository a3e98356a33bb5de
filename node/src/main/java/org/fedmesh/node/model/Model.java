package org.fedmesh.node.model;

/**
 * The shape of a model: how many parameters it has and how they start. Parameters travel as one flat
 * {@code float[]}: for each layer in order, its weights row-major ({@code inputs x outputs}), then its
 * biases ({@code outputs}).
 */
public interface Model {

  ModelSpec spec();

  /** Feature columns the model reads. */
  int inputs();

  /** Classes it predicts; 0 for a regression model. */
  int numClasses();

  /** Width of the output layer: 1 for logistic and linear, the number of classes otherwise. */
  int outputs();

  int parameterCount();

  /**
   * Seeded initial parameters: He-uniform for layers followed by ReLU, Glorot (Xavier)-uniform for
   * the output layer, zero biases. Pure Java, so every member computes bit-identical values.
   */
  float[] initialParameters(long seed);
}
