package org.fedmesh.node.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Member-level accounting (T Gaussian rounds, exactly (√T/z)-GDP) against {@code python3
 * benchmarks/privacy_reference.py}, "Member level" section: the same δ(ε) bisected with mpmath's normal CDF at 50
 * digits (output in benchmarks/privacy_reference.log).
 */
class GaussianDpTest {
  @Test
  void delta_matchesMpmath() {
    // python3 -c "import mpmath as mp; mp.mp.dps=40; mu=mp.mpf(4.5); e=28;
    //   print(mp.ncdf(-e/mu+mu/2)-mp.exp(e)*mp.ncdf(-e/mu-mu/2))", and likewise for the others
    assertRelative(0.1269367375066439458, GaussianDp.delta(1, 1), 1e-13);
    assertRelative(0.000018192921795787733791, GaussianDp.delta(4.5, 28), 1e-11);
    assertRelative(1.8797170020519157446e-7, GaussianDp.delta(10, 100), 1e-11);
  }

  @Test
  void memberLevel_matchesTheExactFormula_andIsNeverBelowIt() {
    assertAtOrJustAbove(28.373473803257382, 1.0, 20, 1e-5);
    assertAtOrJustAbove(136.69619539024907, 0.8, 100, 1e-6);
    assertAtOrJustAbove(0.72552175085779582, 5.0, 1, 1e-5);
    assertAtOrJustAbove(91.817289624663745, 2.0, 400, 1e-5);
  }

  @Test
  void memberLevel_deltaAtTheReturnedEpsilon_isWithinTheTarget() {
    for (long rounds : new long[] {1, 7, 20, 1000}) {
      double mu = Math.sqrt(rounds) / 1.3;
      double epsilon = GaussianDp.epsilon(mu, 1e-5);
      assertTrue(GaussianDp.delta(mu, epsilon) <= 1e-5, rounds + " rounds");
    }
  }

  @Test
  void memberLevel_noiseSoLargeThatDeltaAtZeroIsWithinTarget_isZero() {
    // One round at z = 30 with δ = 0.1: δ(0) = 2Φ(1/60) - 1 ≈ 0.013 already, so ε = 0 (reference agrees).
    assertEquals(0, PrivacyAccountant.memberLevel(30, 1, 0.1).epsilon());
  }

  @Test
  void memberLevel_isNoLooserThanRdpOfTheSameUnsampledGaussian() {
    // Without sampling both accountants bound the same mechanism; the exact composition must not be the worse one.
    for (long rounds : new long[] {1, 10, 100}) {
      double exact = PrivacyAccountant.memberLevel(1.5, rounds, 1e-5).epsilon();
      double rdp = PrivacyAccountant.recordLevel(1.5, 1, rounds, 1e-5).epsilon();
      assertTrue(exact <= rdp, rounds + " rounds: exact " + exact + ", RDP " + rdp);
    }
  }

  private static void assertAtOrJustAbove(double reference, double noise, long rounds, double delta) {
    DpGuarantee guarantee = PrivacyAccountant.memberLevel(noise, rounds, delta);
    assertTrue(guarantee.epsilon() >= reference, guarantee + " below the exact " + reference);
    assertEquals(reference, guarantee.epsilon(), 1e-9 * reference, guarantee.toString());
    assertEquals(PrivacyAccountant.EXACT_GAUSSIAN, guarantee.method());
    assertTrue(Double.isNaN(guarantee.order()));
  }

  private static void assertRelative(double expected, double actual, double tolerance) {
    assertEquals(expected, actual, tolerance * Math.abs(expected));
  }
}
