package org.fedmesh.node.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Optimizer steps against the formulas worked out by hand in double precision. */
class LocalOptimizerTest {

  @Test
  void sgd_step_movesAgainstTheGradient() {
    LocalOptimizer sgd = LocalOptimizer.create(OptimizerSpec.sgd(0.5), 2);
    float[] w = {1, -2};

    sgd.step(w, new float[] {0.2f, -4}, 0);

    assertArrayEquals(new float[] {0.9f, 0}, w, 1e-7f);
  }

  @Test
  void sgdWithMomentum_twoSteps_accumulateVelocity() {
    LocalOptimizer sgd = LocalOptimizer.create(OptimizerSpec.sgd(0.1, 0.9), 1);
    float[] w = {0};

    sgd.step(w, new float[] {1}, 0);
    sgd.step(w, new float[] {1}, 1);

    // v1 = 1, w1 = -0.1; v2 = 0.9 + 1 = 1.9, w2 = -0.1 - 0.19
    assertEquals(-0.29f, w[0], 1e-6f);
  }

  @Test
  void adam_twoSteps_matchTheBiasCorrectedFormula() {
    LocalOptimizer adam = LocalOptimizer.create(OptimizerSpec.adam(0.01), 1);
    float[] w = {1};

    adam.step(w, new float[] {0.5f}, 0);
    adam.step(w, new float[] {-0.2f}, 1);

    double m = 0;
    double v = 0;
    double expected = 1;
    double[] grads = {0.5, -0.2};
    for (int t = 1; t <= 2; t++) {
      double g = grads[t - 1];
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      double stepSize = 0.01 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
      expected -= stepSize * m / (Math.sqrt(v) + 1e-8);
    }
    assertEquals(expected, w[0], 1e-6);
  }

  @Test
  void adamW_twoSteps_shrinkEachWeightByRateTimesDecayBeforeTheAdamStep() {
    LocalOptimizer adamW = LocalOptimizer.create(OptimizerSpec.parse("adamw:0.01,0.5"), 2);
    LocalOptimizer adam = LocalOptimizer.create(OptimizerSpec.adam(0.01), 2);
    float[] w = {1, -3};
    float[] plain = {1, -3};
    float[][] grads = {{0.5f, 0.1f}, {-0.2f, 0.3f}};
    double[] expected = {1, -3};
    double[] m = new double[2];
    double[] v = new double[2];
    for (int t = 1; t <= 2; t++) {
      adamW.step(w, grads[t - 1], t - 1);
      adam.step(plain, grads[t - 1], t - 1);
      for (int i = 0; i < 2; i++) {
        double g = grads[t - 1][i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        double stepSize = 0.01 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
        expected[i] = expected[i] * (1 - 0.01 * 0.5) - stepSize * m[i] / (Math.sqrt(v[i]) + 1e-8);
      }
    }
    assertEquals(expected[0], w[0], 1e-6);
    assertEquals(expected[1], w[1], 1e-6);
    // The decay pulls towards 0, by about 2 x 0.005 of the weight more than plain Adam moves it.
    assertEquals(-3 * 0.01, plain[1] - w[1], 1e-3);
  }

  @Test
  void reset_forgetsTheMomentum() {
    LocalOptimizer sgd = LocalOptimizer.create(OptimizerSpec.sgd(0.1, 0.9), 1);
    float[] w = {0};
    sgd.step(w, new float[] {1}, 0);

    sgd.reset();
    w[0] = 0;
    sgd.step(w, new float[] {1}, 0);

    assertEquals(-0.1f, w[0], 1e-7f);
  }

  @Test
  void flushTiny_zeroesOnlyValuesBelowTheThreshold() {
    float[] state = {1e-31f, -1e-35f, 1e-29f, -0.5f, Float.MIN_VALUE};

    LocalOptimizer.flushTiny(state);

    assertArrayEquals(new float[] {0, 0, 1e-29f, -0.5f, 0}, state);
  }

  @Test
  void fedProx_addsMuTimesTheDistanceToTheCenter() {
    float[] gradient = {1, 1, 1};

    FedProx.addGradient(gradient, new float[] {2, 0, -1}, new float[] {1, 0, 1}, 0.5f);

    assertArrayEquals(new float[] {1.5f, 1, 0}, gradient);
  }
}
