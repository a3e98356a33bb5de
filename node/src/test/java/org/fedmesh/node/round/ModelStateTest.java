package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class ModelStateTest {

  @Test
  void hash_dependsOnEveryBitOfParametersAndOptimizerState() {
    String base = ModelState.hashOf(new float[] {1f, 2f}, new float[] {3f});
    assertEquals(base, ModelState.hashOf(new float[] {1f, 2f}, new float[] {3f}));
    assertNotEquals(base, ModelState.hashOf(new float[] {1f, Math.nextUp(2f)}, new float[] {3f}));
    assertNotEquals(base, ModelState.hashOf(new float[] {1f, 2f}, new float[] {-3f}));
    assertNotEquals(ModelState.hashOf(new float[] {0f}, new float[0]), ModelState.hashOf(new float[] {-0f}, new float[0]));
    assertEquals(64, base.length());
  }

  @Test
  void flattenThenUnflatten_isTheSameState() {
    ModelState state = ModelState.of(5, new float[] {1f, 2f, 3f}, new float[] {4f, 5f, 6f});
    ModelState back = ModelState.unflatten(5, state.flatten(), 3);
    assertArrayEquals(state.parameters(), back.parameters());
    assertArrayEquals(state.optimizerState(), back.optimizerState());
    assertEquals(state.hash(), back.hash());
  }

  @Test
  void fedAvgMomentum_sameInputs_bitIdenticalResult() {
    ServerOptimizer optimizer = ServerOptimizer.fedAvgMomentum(1.0, 0.9);
    ModelState start = ModelState.of(0, new float[] {0.1f, -0.2f}, optimizer.initialState(2));
    ModelState a = optimizer.apply(optimizer.apply(start, new double[] {0.01, 0.02}), new double[] {0.03, -0.01});
    ModelState b = optimizer.apply(optimizer.apply(start, new double[] {0.01, 0.02}), new double[] {0.03, -0.01});
    assertEquals(a.hash(), b.hash());
    assertEquals(2, a.round());
    // velocity after two steps: 0.9 * 0.01 + 0.03 = 0.039 for the first coordinate
    assertEquals(0.039f, a.optimizerState()[0], 1e-7);
    assertEquals(0.1f + 0.01f + 0.039f, a.parameters()[0], 1e-6);
  }
}
