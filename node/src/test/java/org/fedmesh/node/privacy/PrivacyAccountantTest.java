package org.fedmesh.node.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The accountant's (ε, δ) figures. Expected values come from {@code python3 benchmarks/privacy_reference.py}
 * (benchmarks/privacy_reference.log): RDP by numerical integration, minimised over the same orders.
 */
class PrivacyAccountantTest {
  /** DP-SGD on MNIST (Abadi et al. 2016): batches of 256 from 60000, noise 1.1, 60 epochs, δ = 1e-5. */
  private static final double MNIST_NOISE = 1.1;
  private static final double MNIST_RATE = 256.0 / 60000;
  private static final long MNIST_STEPS = 14063;
  private static final double MNIST_DELTA = 1e-5;

  @Test
  void publishedSetting_classicConversion_is3point01AtOrder9() {
    DpGuarantee classic = PrivacyAccountant.recordLevel(MNIST_NOISE, MNIST_RATE, MNIST_STEPS, MNIST_DELTA,
        RdpConversion.CLASSIC);
    assertAtOrJustAbove(3.0092111729975723, classic.epsilon());
    assertEquals(9, classic.order());
    assertEquals("classic", classic.method());
  }

  @Test
  void publishedSetting_headline_isTheImprovedConversion_2point60AtOrder8() {
    DpGuarantee headline = PrivacyAccountant.recordLevel(MNIST_NOISE, MNIST_RATE, MNIST_STEPS, MNIST_DELTA);
    assertAtOrJustAbove(2.5970795196566332, headline.epsilon());
    assertEquals(8, headline.order());
    assertEquals("improved", headline.method());
    assertEquals(MNIST_DELTA, headline.delta());
    assertTrue(headline.epsilon() >= 2.0 && headline.epsilon() <= 3.16, headline.toString());
  }

  @Test
  void otherSettings_bothConversions_matchTheReference() {
    assertGuarantee(35.972785994716787, 1.75, 0.5, 0.5, 10, 1e-5, RdpConversion.CLASSIC);
    assertGuarantee(34.379333750415682, 1.75, 0.5, 0.5, 10, 1e-5, RdpConversion.IMPROVED);
    assertGuarantee(0.43450297999880672, 64, 4.0, 0.01, 1000, 1e-6, RdpConversion.CLASSIC);
    assertGuarantee(0.35015233074627905, 48, 4.0, 0.01, 1000, 1e-6, RdpConversion.IMPROVED);
  }

  @Test
  void improvedConversion_isNeverAboveClassic() {
    for (double noise : new double[] {0.7, 1.1, 3}) {
      for (long steps : new long[] {1, 100, 10_000}) {
        double improved = PrivacyAccountant.recordLevel(noise, 0.01, steps, 1e-5).epsilon();
        double classic = PrivacyAccountant.recordLevel(noise, 0.01, steps, 1e-5, RdpConversion.CLASSIC).epsilon();
        assertTrue(improved <= classic, noise + " noise, " + steps + " steps");
      }
    }
  }

  @Test
  void zeroSteps_costNothing() {
    DpGuarantee none = PrivacyAccountant.recordLevel(1.1, 0.01, 0, 1e-5);
    assertEquals(0, none.epsilon());
    assertTrue(Double.isNaN(none.order()));
    assertEquals(0, PrivacyAccountant.memberLevel(1.1, 0, 1e-5).epsilon());
  }

  @Test
  void epsilon_risesWithStepsAndSampleRate_fallsWithNoise() {
    double previous = 0;
    for (long steps = 1; steps <= 1_000_000; steps *= 3) {
      double epsilon = PrivacyAccountant.recordLevel(1.1, 0.01, steps, 1e-5).epsilon();
      assertTrue(epsilon > previous, steps + " steps: " + epsilon + " after " + previous);
      previous = epsilon;
    }
    previous = 0;
    for (double q : new double[] {1e-4, 1e-3, 0.01, 0.1, 0.5, 1}) {
      double epsilon = PrivacyAccountant.recordLevel(1.1, q, 1000, 1e-5).epsilon();
      assertTrue(epsilon > previous, "rate " + q + ": " + epsilon + " after " + previous);
      previous = epsilon;
    }
    previous = Double.POSITIVE_INFINITY;
    for (double noise : new double[] {0.5, 0.8, 1.1, 2, 5, 20}) {
      double epsilon = PrivacyAccountant.recordLevel(noise, 0.01, 1000, 1e-5).epsilon();
      assertTrue(epsilon < previous, "noise " + noise + ": " + epsilon + " after " + previous);
      previous = epsilon;
    }
    previous = 0;
    for (long rounds = 1; rounds <= 100_000; rounds *= 4) {
      double epsilon = PrivacyAccountant.memberLevel(2, rounds, 1e-5).epsilon();
      assertTrue(epsilon > previous, rounds + " rounds: " + epsilon + " after " + previous);
      previous = epsilon;
    }
  }

  @Test
  void maxSteps_isTheLastStepCountWithinBudget() {
    long steps = PrivacyAccountant.maxSteps(MNIST_NOISE, MNIST_RATE, MNIST_DELTA, 3.0);
    assertTrue(steps > MNIST_STEPS, "the published run spends 2.60 < 3: " + steps);
    assertTrue(PrivacyAccountant.recordLevel(MNIST_NOISE, MNIST_RATE, steps, MNIST_DELTA).epsilon() <= 3.0);
    assertTrue(PrivacyAccountant.recordLevel(MNIST_NOISE, MNIST_RATE, steps + 1, MNIST_DELTA).epsilon() > 3.0);
  }

  @Test
  void maxRounds_isTheLastRoundCountWithinBudget() {
    long rounds = PrivacyAccountant.maxRounds(5, 1e-5, 4.0);
    assertTrue(rounds > 1, "one round at z = 5 costs 0.73: " + rounds);
    assertTrue(PrivacyAccountant.memberLevel(5, rounds, 1e-5).epsilon() <= 4.0);
    assertTrue(PrivacyAccountant.memberLevel(5, rounds + 1, 1e-5).epsilon() > 4.0);
  }

  @Test
  void budgetBelowOneStep_allowsNone_budgetNoCountCanReach_allowsAll() {
    assertEquals(0, PrivacyAccountant.maxSteps(0.5, 0.5, 1e-5, 0.1));
    assertEquals(0, PrivacyAccountant.maxRounds(0.5, 1e-5, 0.1));
    assertEquals(Long.MAX_VALUE, PrivacyAccountant.maxSteps(1e6, 1e-9, 1e-5, 1.0));
  }

  @Test
  void badInputs_areRefused_namingTheParameter() {
    assertRefused("noise multiplier", () -> PrivacyAccountant.recordLevel(0, 0.01, 10, 1e-5));
    assertRefused("noise multiplier", () -> PrivacyAccountant.memberLevel(Double.NaN, 10, 1e-5));
    assertRefused("sample rate", () -> PrivacyAccountant.recordLevel(1, 0, 10, 1e-5));
    assertRefused("sample rate", () -> PrivacyAccountant.recordLevel(1, 1.5, 10, 1e-5));
    assertRefused("steps", () -> PrivacyAccountant.recordLevel(1, 0.01, -1, 1e-5));
    assertRefused("rounds", () -> PrivacyAccountant.memberLevel(1, -1, 1e-5));
    assertRefused("delta", () -> PrivacyAccountant.recordLevel(1, 0.01, 10, 0));
    assertRefused("delta", () -> PrivacyAccountant.memberLevel(1, 10, 1));
    assertRefused("epsilon budget", () -> PrivacyAccountant.maxSteps(1, 0.01, 1e-5, -1));
    assertRefused("epsilon budget", () -> PrivacyAccountant.maxRounds(1, 1e-5, Double.POSITIVE_INFINITY));
  }

  @Test
  void severalBadInputs_areAllNamedAtOnce() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PrivacyAccountant.recordLevel(-1, 2, -5, 7));
    for (String name : new String[] {"noise multiplier", "sample rate", "steps", "delta"}) {
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }

  private static void assertGuarantee(double epsilon, double order, double noise, double q, long steps,
      double delta, RdpConversion conversion) {
    DpGuarantee guarantee = PrivacyAccountant.recordLevel(noise, q, steps, delta, conversion);
    assertAtOrJustAbove(epsilon, guarantee.epsilon());
    assertEquals(order, guarantee.order(), guarantee.toString());
  }

  /** At or above the reference, and no further above than the accountant's rounding allowance explains. */
  private static void assertAtOrJustAbove(double reference, double epsilon) {
    assertTrue(epsilon >= reference, epsilon + " below the reference " + reference);
    assertEquals(reference, epsilon, 2 * SampledGaussianRdp.ROUNDING_ALLOWANCE * reference);
  }

  private static void assertRefused(String parameter, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().startsWith(parameter), e.getMessage());
  }
}
