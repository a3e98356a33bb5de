package org.fedmesh.deploy.model;

import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.model.Model;
import org.fedmesh.node.model.ModelSpec;

/**
 * The forward pass of an exported dense model in plain Java (double precision), so that prediction needs neither
 * ND4J nor a trainer: layer after layer of {@code x W + b} with ReLU between, then the output head. Convolutional
 * models are not supported here.
 */
public final class DenseForward {
  private final int[] widths;
  private final float[] parameters;
  private final boolean classification;

  public DenseForward(ExportedModel model) {
    Model network = model.network();
    ModelSpec spec = network.spec();
    if (spec.kind() == ModelSpec.Kind.CNN) {
      throw new IllegalArgumentException("predict supports dense models (logistic, softmax, linear, mlp), not "
          + spec);
    }
    widths = new int[spec.hiddenLayers().size() + 2];
    widths[0] = network.inputs();
    for (int i = 0; i < spec.hiddenLayers().size(); i++) {
      widths[i + 1] = spec.hiddenLayers().get(i);
    }
    widths[widths.length - 1] = network.outputs();
    parameters = model.parameters();
    classification = model.isClassification();
  }

  /** The outputs of one row: class probabilities (one per class) for a classifier, the value for regression. */
  public double[] outputs(Dataset data, int row) {
    double[] x = new double[widths[0]];
    for (int c = 0; c < x.length; c++) {
      x[c] = data.features()[row * data.cols() + c];
    }
    int offset = 0;
    for (int l = 0; l + 1 < widths.length; l++) {
      int in = widths[l];
      int out = widths[l + 1];
      double[] y = new double[out];
      for (int o = 0; o < out; o++) {
        y[o] = parameters[offset + in * out + o]; // the bias row follows the weights
      }
      for (int i = 0; i < in; i++) {
        double xi = x[i];
        int rowStart = offset + i * out;
        for (int o = 0; o < out; o++) {
          y[o] += xi * parameters[rowStart + o];
        }
      }
      offset += (in + 1) * out;
      if (l + 2 < widths.length) {
        for (int o = 0; o < out; o++) {
          y[o] = Math.max(0, y[o]);
        }
      }
      x = y;
    }
    if (!classification) {
      return x;
    }
    if (x.length == 1) {
      double p = 1 / (1 + Math.exp(-x[0]));
      return new double[] {1 - p, p};
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[x.length];
    for (int k = 0; k < x.length; k++) {
      p[k] = Math.exp(x[k] - max);
      sum += p[k];
    }
    for (int k = 0; k < x.length; k++) {
      p[k] /= sum;
    }
    return p;
  }

  /**
   * The predicted class index, decided as training's output head decides it: logistic, class 1 when its
   * probability is at least 0.5; softmax, the most probable class, the first one on a tie.
   */
  public int predictedClass(double[] probabilities) {
    if (widths[widths.length - 1] == 1) {
      return probabilities[1] >= 0.5 ? 1 : 0;
    }
    int best = 0;
    for (int k = 1; k < probabilities.length; k++) {
      if (probabilities[k] > probabilities[best]) {
        best = k;
      }
    }
    return best;
  }
}
