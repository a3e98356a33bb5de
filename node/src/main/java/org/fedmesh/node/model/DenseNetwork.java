package org.fedmesh.node.model;

import java.util.Arrays;

import org.apache.commons.rng.UniformRandomProvider;
import org.fedmesh.node.data.Seeds;

/**
 * Every model of {@link ModelSpec} is a stack of dense layers with ReLU between them and a loss head
 * on top: logistic and linear are one layer with one output, softmax one layer with one output per
 * class, an mlp has hidden layers in addition.
 *
 * <p>Layer {@code l} maps {@code widths[l]} inputs to {@code widths[l + 1]} outputs. Its weights
 * ({@code widths[l] x widths[l+1]}, row-major) are followed by its biases, so the two together form
 * one {@code (widths[l] + 1) x widths[l+1]} matrix whose last row is the bias: multiplying inputs
 * with an extra column of ones applies weights and bias in one matrix product.
 */
final class DenseNetwork implements Model {

  private final ModelSpec spec;
  private final int numClasses;
  private final int[] widths;
  private final long[] layerOffsets;
  private final int parameterCount;
  private final OutputHead head;

  private DenseNetwork(ModelSpec spec, int numClasses, int[] widths, OutputHead head) {
    this.spec = spec;
    this.numClasses = numClasses;
    this.widths = widths;
    this.head = head;
    this.layerOffsets = new long[widths.length];
    long offset = 0;
    for (int l = 0; l < widths.length - 1; l++) {
      layerOffsets[l] = offset;
      offset += (widths[l] + 1L) * widths[l + 1];
    }
    layerOffsets[widths.length - 1] = offset;
    if (offset > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(spec + " on " + widths[0] + " inputs has " + offset
          + " parameters, more than one array can hold");
    }
    this.parameterCount = (int) offset;
  }

  static DenseNetwork of(ModelSpec spec, int inputs, int numClasses) {
    if (inputs < 1) {
      throw new IllegalArgumentException("a model needs at least one input, got " + inputs);
    }
    OutputHead head;
    int outputs;
    switch (spec.kind()) {
      case LOGISTIC -> {
        if (numClasses != 2) {
          throw new IllegalArgumentException("logistic regression is binary: it needs 2 classes, "
              + "the data has " + describe(numClasses) + " (use softmax or an mlp)");
        }
        head = OutputHead.SIGMOID_CROSS_ENTROPY;
        outputs = 1;
      }
      case LINEAR -> {
        if (numClasses != 0) {
          throw new IllegalArgumentException("linear regression needs numeric targets, the data has "
              + describe(numClasses) + " (use logistic, softmax or an mlp)");
        }
        head = OutputHead.SQUARED_ERROR;
        outputs = 1;
      }
      default -> {
        if (numClasses < 2) {
          throw new IllegalArgumentException(spec + " classifies: it needs at least 2 classes, the data has "
              + describe(numClasses) + " (use linear for regression)");
        }
        head = OutputHead.SOFTMAX_CROSS_ENTROPY;
        outputs = numClasses;
      }
    }
    int[] widths = new int[spec.hiddenLayers().size() + 2];
    widths[0] = inputs;
    for (int i = 0; i < spec.hiddenLayers().size(); i++) {
      widths[i + 1] = spec.hiddenLayers().get(i);
    }
    widths[widths.length - 1] = outputs;
    return new DenseNetwork(spec, numClasses, widths, head);
  }

  private static String describe(int numClasses) {
    return numClasses == 0 ? "numeric targets (regression)" : numClasses + " classes";
  }

  @Override
  public ModelSpec spec() {
    return spec;
  }

  @Override
  public int inputs() {
    return widths[0];
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public int outputs() {
    return widths[widths.length - 1];
  }

  @Override
  public int parameterCount() {
    return parameterCount;
  }

  int layerCount() {
    return widths.length - 1;
  }

  /** Inputs of layer {@code l} (for {@code l == layerCount()}, the outputs of the network). */
  int width(int l) {
    return widths[l];
  }

  OutputHead head() {
    return head;
  }

  /**
   * Multiply-adds of training on one sample: the forward pass (bias rows included), every layer's weight gradient,
   * and the input gradient of every layer but the first (nothing needs the gradient of the data).
   */
  long trainingMultiplyAdds() {
    long total = 0;
    for (int l = 0; l < layerCount(); l++) {
      long layer = (widths[l] + 1L) * widths[l + 1];
      total += l == 0 ? 2 * layer : 3 * layer;
    }
    return total;
  }

  @Override
  public float[] initialParameters(long seed) {
    UniformRandomProvider rng = Seeds.rng(seed);
    float[] parameters = new float[parameterCount];
    for (int l = 0; l < layerCount(); l++) {
      int fanIn = widths[l];
      int fanOut = widths[l + 1];
      boolean feedsRelu = l < layerCount() - 1;
      // Uniform(-a, a) has variance a^2 / 3: He keeps 2 / fanIn for ReLU, Glorot 2 / (fanIn + fanOut).
      double limit = feedsRelu ? Math.sqrt(6.0 / fanIn) : Math.sqrt(6.0 / (fanIn + fanOut));
      int start = (int) layerOffsets[l];
      int weights = fanIn * fanOut;
      for (int i = 0; i < weights; i++) {
        parameters[start + i] = (float) ((2 * rng.nextDouble() - 1) * limit);
      }
      // Biases (the next fanOut values) stay zero.
    }
    return parameters;
  }

  @Override
  public String toString() {
    return spec + " " + Arrays.toString(widths) + " (" + parameterCount + " parameters)";
  }
}
