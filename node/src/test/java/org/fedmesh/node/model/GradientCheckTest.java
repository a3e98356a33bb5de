package org.fedmesh.node.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.PermutationSampler;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Seeds;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Hand-written gradients against central differences, in double precision. */
class GradientCheckTest {

  private static final int ROWS = 9;
  private static final int COLS = 5;
  private static final double STEP = 1e-6;
  private static final double TOLERANCE = 1e-6;

  @Test
  void logistic_gradient_matchesCentralDifferences() {
    assertGradientMatches(ModelSpec.logistic(), randomData(2, 1), 0);
  }

  @Test
  void softmax_gradient_matchesCentralDifferences() {
    assertGradientMatches(ModelSpec.softmax(), randomData(3, 2), 0);
  }

  @Test
  void linear_gradient_matchesCentralDifferences() {
    assertGradientMatches(ModelSpec.linear(), randomData(0, 3), 0);
  }

  @Test
  void mlp_gradient_matchesCentralDifferences() {
    assertGradientMatches(ModelSpec.mlp(5, 4), randomData(3, 4), 0);
  }

  @Test
  void mlpWithProximalTerm_gradient_matchesCentralDifferences() {
    assertGradientMatches(ModelSpec.mlp(5, 4), randomData(3, 5), 0.3);
  }

  @Test
  void logisticWithProximalTerm_gradient_matchesCentralDifferences() {
    assertGradientMatches(ModelSpec.logistic(), randomData(2, 6), 0.7);
  }

  private static void assertGradientMatches(ModelSpec spec, Dataset data, double mu) {
    DenseNetwork net = DenseNetwork.of(spec, data.cols(), data.numClasses());
    try (Backprop backprop = new Backprop(net, DataType.DOUBLE)) {
      UniformRandomProvider rng = Seeds.rng(42);
      double[] w = new double[net.parameterCount()];
      double[] center = new double[w.length];
      for (int i = 0; i < w.length; i++) {
        // Non-zero biases too, so that their gradients are checked away from a special point.
        w[i] = rng.nextDouble() - 0.5;
        center[i] = rng.nextDouble() - 0.5;
      }
      int[] order = PermutationSampler.natural(data.rows());
      backprop.setParameters(w);
      backprop.lossAndGradient(data, order, 0, data.rows());
      double[] analytic = backprop.gradientValues();
      // FedProx's own code works on floats; its gradient mu * (w - center) is checked here in
      // double precision against the objective below, and FedProx itself in FedProxTest.
      for (int i = 0; i < w.length; i++) {
        analytic[i] += mu * (w[i] - center[i]);
      }

      double worst = 0;
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < w.length; i++) {
        double saved = w[i];
        w[i] = saved + STEP;
        double plus = objective(backprop, data, order, w, center, mu);
        w[i] = saved - STEP;
        double minus = objective(backprop, data, order, w, center, mu);
        w[i] = saved;
        double numeric = (plus - minus) / (2 * STEP);
        double error = Math.abs(analytic[i] - numeric) / Math.max(1e-8, Math.abs(analytic[i]) + Math.abs(numeric));
        worst = Math.max(worst, error);
        if (error > TOLERANCE) {
          failures.add("parameter " + i + ": analytic " + analytic[i] + ", numeric " + numeric);
        }
      }
      assertTrue(failures.isEmpty(), spec + " (mu " + mu + "), worst relative error " + worst + ": " + failures);
    }
  }

  /** Mean batch loss plus the FedProx term, the function whose gradient Backprop computes. */
  private static double objective(Backprop backprop, Dataset data, int[] order, double[] w, double[] center,
                  double mu) {
    backprop.setParameters(w);
    double loss = backprop.lossAndGradient(data, order, 0, data.rows());
    double distance = 0;
    for (int i = 0; i < w.length; i++) {
      distance += (w[i] - center[i]) * (w[i] - center[i]);
    }
    return loss + mu / 2 * distance;
  }

  /** Random features; {@code numClasses} random classes, or a random real target for 0. */
  private static Dataset randomData(int numClasses, long seed) {
    UniformRandomProvider rng = Seeds.rng(seed);
    float[] features = new float[ROWS * COLS];
    for (int i = 0; i < features.length; i++) {
      features[i] = (float) Seeds.gaussian(rng);
    }
    float[] targets = new float[ROWS];
    List<String> names = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      names.add("c" + c);
    }
    for (int r = 0; r < ROWS; r++) {
      // Every class present, the rest random.
      targets[r] = numClasses == 0 ? (float) (3 * Seeds.gaussian(rng))
          : r < numClasses ? r : rng.nextInt(numClasses);
    }
    return new Dataset("random", features, ROWS, COLS, targets, numClasses, names);
  }
}
