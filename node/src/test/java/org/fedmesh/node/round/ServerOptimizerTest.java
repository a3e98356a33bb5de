package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * FedAdam and FedYogi against steps computed by hand (with numpy in float32/float64 as the class does), two rounds
 * on a two-parameter model: the second round shows where Yogi's second moment differs from Adam's.
 */
class ServerOptimizerTest {
  private static final double[] FIRST = {0.1, -0.2};
  private static final double[] SECOND = {0.0, 0.05};

  private static ModelState start(ServerOptimizer optimizer) {
    return ModelState.of(0, new float[] {1.0f, -1.0f}, optimizer.initialState(2));
  }

  @Test
  void fedAdam_twoRounds_matchTheHandComputedSteps() {
    ServerOptimizer adam = ServerOptimizer.fedAdaptive(false, 0.01, 0.9, 0.99, 0.001);
    ModelState one = adam.apply(start(adam), FIRST);
    assertArrayEquals(new float[] {1.0090502500534058f, -1.0095126628875732f}, one.parameters(), 1e-6f);
    ModelState two = adam.apply(one, SECOND);
    assertArrayEquals(new float[] {1.0172327756881714f, -1.0155473947525024f}, two.parameters(), 1e-6f);
    // v decays where the update is zero, and moves toward the new square elsewhere
    assertArrayEquals(new float[] {9.998009772971272e-05f, 0.00042198007577098906f},
        java.util.Arrays.copyOfRange(two.optimizerState(), 2, 4), 1e-10f);
    assertEquals(2, two.round());
  }

  @Test
  void fedYogi_twoRounds_matchTheHandComputedSteps_andItsSecondMomentChangesAdditively() {
    ServerOptimizer yogi = ServerOptimizer.fedAdaptive(true, 0.01, 0.9, 0.99, 0.001);
    ModelState one = yogi.apply(start(yogi), FIRST);
    assertArrayEquals(new float[] {1.009049892425537f, -1.0095125436782837f}, one.parameters(), 1e-6f);
    ModelState two = yogi.apply(one, SECOND);
    assertArrayEquals(new float[] {1.0171947479248047f, -1.0155199766159058f}, two.parameters(), 1e-6f);
    // where the update is zero, Yogi's v stays put (Adam's decays); elsewhere it grows by (1-b2) * delta^2
    assertArrayEquals(new float[] {0.00010099999781232327f, 0.0004259999841451645f},
        java.util.Arrays.copyOfRange(two.optimizerState(), 2, 4), 1e-10f);
  }

  @Test
  void sameInputs_sameBits_soEveryMemberHoldsTheSameHash() {
    ServerOptimizer a = ServerOptimizer.fedAdaptive(true, 0.01, 0.9, 0.99, 0.001);
    ServerOptimizer b = ServerOptimizer.fedAdaptive(true, 0.01, 0.9, 0.99, 0.001);
    assertEquals(a.apply(start(a), FIRST).hash(), b.apply(start(b), FIRST).hash());
  }

  @Test
  void stateOfAnotherOptimizer_isRefusedNamingIt() {
    ServerOptimizer adam = ServerOptimizer.fedAdaptive(false, 0.01, 0.9, 0.99, 0.001);
    ModelState fromFedAvg = ModelState.of(3, new float[] {1f, 2f}, new float[0]);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> adam.apply(fromFedAvg, FIRST));
    assertEquals("the model's optimizer state has 0 values; FedAdam needs 4 (was it trained with another"
        + " optimizer?)", e.getMessage());
  }
}
