package org.fedmesh.node.model;

/**
 * Output activation and loss, computed in Java on the logits of a batch. The output layer is narrow
 * (one value, or one per class), so copying logits out and gradients back costs less than the
 * several small ND4J ops it replaces, and double precision with log-sum-exp keeps the loss finite
 * where a float softmax would underflow.
 */
enum OutputHead {

  /** One logit z, P(class 1) = sigmoid(z); loss softplus(z) - y z. */
  SIGMOID_CROSS_ENTROPY {
    @Override
    double lossAndGradient(double[] logits, float[] targets, int rows, int width, double[] grad, double scale) {
      double sum = 0;
      for (int r = 0; r < rows; r++) {
        double z = logits[r];
        double y = targets[r];
        sum += softplus(z) - y * z;
        if (grad != null) {
          grad[r] = (sigmoid(z) - y) * scale;
        }
      }
      return sum;
    }

    @Override
    int predict(double[] logits, int row, int width) {
      return logits[row] >= 0 ? 1 : 0;
    }
  },

  /** One logit per class; loss log-sum-exp(z) - z_y. */
  SOFTMAX_CROSS_ENTROPY {
    @Override
    double lossAndGradient(double[] logits, float[] targets, int rows, int width, double[] grad, double scale) {
      double sum = 0;
      for (int r = 0; r < rows; r++) {
        int base = r * width;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < width; k++) {
          max = Math.max(max, logits[base + k]);
        }
        double expSum = 0;
        for (int k = 0; k < width; k++) {
          expSum += Math.exp(logits[base + k] - max);
        }
        double logSumExp = max + Math.log(expSum);
        int y = (int) targets[r];
        sum += logSumExp - logits[base + y];
        if (grad != null) {
          for (int k = 0; k < width; k++) {
            double p = Math.exp(logits[base + k] - logSumExp);
            grad[base + k] = (p - (k == y ? 1 : 0)) * scale;
          }
        }
      }
      return sum;
    }

    @Override
    int predict(double[] logits, int row, int width) {
      int base = row * width;
      int best = 0;
      for (int k = 1; k < width; k++) {
        if (logits[base + k] > logits[base + best]) {
          best = k;
        }
      }
      return best;
    }
  },

  /** One output; loss (z - y)^2. */
  SQUARED_ERROR {
    @Override
    double lossAndGradient(double[] logits, float[] targets, int rows, int width, double[] grad, double scale) {
      double sum = 0;
      for (int r = 0; r < rows; r++) {
        double d = logits[r] - targets[r];
        sum += d * d;
        if (grad != null) {
          grad[r] = 2 * d * scale;
        }
      }
      return sum;
    }

    @Override
    int predict(double[] logits, int row, int width) {
      throw new UnsupportedOperationException("regression has no class prediction");
    }
  };

  /**
   * The summed loss over {@code rows}; if {@code grad} is not null, also writes
   * {@code scale * d(loss of each row)/d(logit)} there (scale 1/rows gives the gradient of the mean).
   */
  abstract double lossAndGradient(double[] logits, float[] targets, int rows, int width, double[] grad,
                  double scale);

  /** The predicted class of one row. */
  abstract int predict(double[] logits, int row, int width);

  static double softplus(double z) {
    return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  }

  static double sigmoid(double z) {
    if (z >= 0) {
      return 1 / (1 + Math.exp(-z));
    }
    double e = Math.exp(z);
    return e / (1 + e);
  }
}
