package org.fedmesh.node.model;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * The local optimizer a member runs during its epochs, as written on the command line:
 * {@code sgd:LR}, {@code sgd:LR,MOMENTUM}, {@code adam:LR}, {@code adam:LR,BETA1,BETA2,EPSILON} or
 * {@code adamw:LR,WEIGHT_DECAY} (Adam with decoupled weight decay). Its state starts fresh at every round.
 * {@link #toString()} gives the spec back.
 */
public sealed interface OptimizerSpec permits OptimizerSpec.Sgd, OptimizerSpec.Adam {

  double learningRate();

  static Sgd sgd(double learningRate) {
    return new Sgd(learningRate, 0);
  }

  static Sgd sgd(double learningRate, double momentum) {
    return new Sgd(learningRate, momentum);
  }

  static Adam adam(double learningRate) {
    return new Adam(learningRate, Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2, Adam.DEFAULT_EPSILON, 0);
  }

  static Adam adamW(double learningRate, double weightDecay) {
    return new Adam(learningRate, Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2, Adam.DEFAULT_EPSILON, weightDecay);
  }

  static OptimizerSpec parse(String spec) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    int colon = s.indexOf(':');
    String name = colon < 0 ? s : s.substring(0, colon);
    if (!name.equals("sgd") && !name.equals("adam") && !name.equals("adamw")) {
      throw new IllegalArgumentException("unknown optimizer '" + spec + "': expected sgd:LR[,MOMENTUM], "
          + "adam:LR[,BETA1,BETA2,EPSILON] or adamw:LR,WEIGHT_DECAY, e.g. sgd:0.05,0.9, adam:0.001 or "
          + "adamw:0.001,0.05");
    }
    if (colon < 0) {
      throw new IllegalArgumentException("optimizer '" + spec + "': the learning rate is missing, e.g. "
          + name + (name.equals("sgd") ? ":0.05" : name.equals("adam") ? ":0.001" : ":0.001,0.05"));
    }
    String[] parts = s.substring(colon + 1).split(",", -1);
    double[] values = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        values[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("optimizer '" + spec + "': '" + parts[i].trim()
            + "' is not a number", e);
      }
    }
    try {
      if (name.equals("sgd")) {
        if (values.length > 2) {
          throw new IllegalArgumentException("sgd takes LR[,MOMENTUM]");
        }
        return new Sgd(values[0], values.length == 2 ? values[1] : 0);
      }
      if (name.equals("adamw")) {
        if (values.length != 2) {
          throw new IllegalArgumentException("adamw takes LR,WEIGHT_DECAY");
        }
        return adamW(values[0], values[1]);
      }
      if (values.length != 1 && values.length != 4) {
        throw new IllegalArgumentException("adam takes LR or LR,BETA1,BETA2,EPSILON");
      }
      return values.length == 1 ? adam(values[0]) : new Adam(values[0], values[1], values[2], values[3], 0);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("optimizer '" + spec + "': " + e.getMessage(), e);
    }
  }

  /** Plain or momentum SGD: {@code v = momentum * v + g; w -= lr * v}. */
  record Sgd(double learningRate, double momentum) implements OptimizerSpec {
    public Sgd {
      requireLearningRate(learningRate);
      if (!(momentum >= 0 && momentum < 1)) {
        throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
      }
    }

    @Override
    public String toString() {
      return "sgd:" + format(learningRate) + (momentum == 0 ? "" : "," + format(momentum));
    }
  }

  /**
   * Adam (Kingma and Ba, 2015) with bias correction; with {@code weightDecay} above 0, AdamW (Loshchilov and Hutter,
   * 2019): every step also shrinks each parameter by {@code learningRate * weightDecay} of itself, outside the
   * adaptive scaling.
   */
  record Adam(double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
      implements OptimizerSpec {
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;

    public Adam {
      requireLearningRate(learningRate);
      if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
        throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
      }
      if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
        throw new IllegalArgumentException("epsilon must be finite and > 0, got " + epsilon);
      }
      if (!(weightDecay >= 0 && learningRate * weightDecay < 1)) {
        throw new IllegalArgumentException("weight decay must be >= 0 with learning rate x weight decay < 1, got "
            + weightDecay);
      }
    }

    @Override
    public String toString() {
      if (weightDecay > 0) {
        return "adamw:" + format(learningRate) + "," + format(weightDecay);
      }
      boolean defaults = beta1 == DEFAULT_BETA1 && beta2 == DEFAULT_BETA2 && epsilon == DEFAULT_EPSILON;
      return "adam:" + format(learningRate)
          + (defaults ? "" : "," + format(beta1) + "," + format(beta2) + "," + format(epsilon));
    }
  }

  private static void requireLearningRate(double learningRate) {
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
    }
  }

  /** Shortest exact decimal, so that parsing the text gives the same double back. */
  private static String format(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toString();
  }
}
