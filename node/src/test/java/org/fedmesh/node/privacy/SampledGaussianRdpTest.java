package org.fedmesh.node.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Per-step RDP against figures computed another way: {@code python3 benchmarks/privacy_reference.py} integrates the
 * likelihood-ratio moment numerically with mpmath at 30 digits, where this code sums the binomial expansion (integer
 * orders) or the Mironov-Talwar-Zhang series (fractional orders). Its output is benchmarks/privacy_reference.log;
 * the arrays below are copied from it, one value per order of {@link PrivacyAccountant#ORDERS}.
 */
class SampledGaussianRdpTest {
  private static final double[] ORDERS = PrivacyAccountant.ORDERS;

  /**
   * How far above the reference a figure may be: the accountant rounds every RDP up by
   * {@link SampledGaussianRdp#ROUNDING_ALLOWANCE}, and the two routes otherwise share all but the last few digits.
   */
  private static final double ABOVE_TOLERANCE = 2 * SampledGaussianRdp.ROUNDING_ALLOWANCE;

  // q = 256/60000, z = 1.1 (DP-SGD on MNIST, Abadi et al. 2016).
  private static final double[] PUBLISHED = {
      1.4538842929907039e-5, 1.7479784462924327e-5, 2.0432054969146019e-5, 2.3395776009949162e-5,
      2.9358070281807933e-5, 3.536769897204746e-5, 4.1425745905049495e-5, 4.7533352361051619e-5,
      5.3691723403204755e-5, 5.9902135523497457e-5, 6.6165946079043274e-5, 7.2484605253675838e-5,
      7.8859671756624947e-5, 8.52928343971849e-5, 9.1785943635148417e-5, 9.8341061779926009e-5,
      0.00010496055244203676, 0.0001116472651551087, 0.0001184049912475423, 0.00012523984244289699,
      0.00013216541130752266, 0.0001392266961404542, 0.00014663697212428432, 0.00015574016209240173,
      0.021923159626236421, 0.79189143278189456, 2.5203712113391701, 4.223176832864584, 5.9112173495590401,
      7.590188346210109, 14.261683615231771, 20.902740779189831, 47.392671693858794, 100.30680187454402,
      206.10264662835974};

  // q = 0.5, z = 0.5: the fractional series converge slowly and reach deep into the normal's lower tail.
  private static final double[] LARGE_Q_SMALL_NOISE = {
      1.0211052314196147, 1.4955908496765971, 2.0622218708089814, 2.6671960885860431, 3.8494871350349098,
      4.9607944459870641, 6.0296577173908021, 7.0758119556209991, 8.10881183704298, 9.1335661649707269,
      10.152820131263409, 11.168223385801451, 12.180826059667911, 13.191328289390773, 14.200214791667497,
      15.207831793646568, 16.214433195365501, 17.220209421870077, 18.225306092315357, 19.229836466044507,
      20.233889958328483, 21.237538101384061, 22.240838802243868, 23.243839439389152, 27.253533805550827,
      31.260643007402724, 39.270371388884271, 47.276715985502669, 55.281180701641539, 63.284493232970377,
      95.292105007087713, 127.29585048324068, 255.30139496762462, 511.30413459520258, 1023.3054963670319};

  // q = 0.01, z = 4: small figures, and a jump between orders 128 and 256 where the sampled record starts to show.
  private static final double[] SMALL_Q_LARGE_NOISE = {
      4.028921561234171e-6, 4.8354931756331885e-6, 5.6423276286983584e-6, 6.4494250941992097e-6,
      8.0644097584960338e-6, 9.6804485623234686e-6, 1.1297542902405171e-5, 1.2915694178397232e-5,
      1.4534903792896807e-5, 1.6155173151450775e-5, 1.7776503662564425e-5, 1.939889673771019e-5,
      2.1022353791336396e-5, 2.2646876240876061e-5, 2.4272465506755722e-5, 2.5899123012404283e-5,
      2.7526850184261927e-5, 2.9155648451789038e-5, 3.078551924747516e-5, 3.2416464006847996e-5,
      3.404848416848245e-5, 3.568158117400968e-5, 3.7315756468126208e-5, 3.8951011498603075e-5,
      4.5502858047656817e-5, 5.2072097005798568e-5, 6.5263129572803863e-5, 7.8524872215632533e-5,
      9.1858101244470463e-5, 0.00010526360659081726, 0.00015962468575142242, 0.0002152091616184214,
      0.00045100945697498199, 3.3767822301989794, 11.385817739285285};

  @Test
  void publishedSetting_everyOrder_matchesQuadrature() {
    assertMatchesAtEveryOrder(256.0 / 60000, 1.1, PUBLISHED);
  }

  @Test
  void largeSampleRateSmallNoise_everyOrder_matchesQuadrature() {
    assertMatchesAtEveryOrder(0.5, 0.5, LARGE_Q_SMALL_NOISE);
  }

  @Test
  void smallSampleRateLargeNoise_everyOrder_matchesQuadrature() {
    assertMatchesAtEveryOrder(0.01, 4.0, SMALL_Q_LARGE_NOISE);
  }

  @Test
  void fullSampling_everyOrder_isThePlainGaussiansOrderOverTwoSigmaSquared() {
    for (double noise : new double[] {0.3, 1.0, 1.1, 7.5}) {
      for (double order : ORDERS) {
        assertEquals(order / (2 * noise * noise), SampledGaussianRdp.rdp(1, noise, order), 0,
            "order " + order + ", noise " + noise);
      }
    }
  }

  @Test
  void almostFullSampling_everyOrder_approachesThePlainGaussian() {
    // Through the general expansions, not the q = 1 shortcut; they differ from the limit by about α·1e-9 / (α - 1).
    for (double noise : new double[] {0.5, 1.1, 4.0}) {
      for (double order : ORDERS) {
        double plain = order / (2 * noise * noise);
        double rdp = SampledGaussianRdp.rdp(1 - 1e-9, noise, order);
        assertEquals(plain, rdp, 1e-6 * plain, "order " + order + ", noise " + noise);
        assertTrue(rdp <= plain * (1 + SampledGaussianRdp.ROUNDING_ALLOWANCE + 1e-12),
            "sampling cannot leak more than the full batch, rounding allowance apart: order " + order);
      }
    }
  }

  @Test
  void tinySampleRate_integerOrders_keepTheirDigits_fractionalOrdersStayAbove() {
    // A_α - 1 is about 1e-14 here (python3 benchmarks/privacy_reference.py, "tiny q" section): too little for the
    // fractional series to keep, so fractional orders take the chord of log A between the integer orders around
    // them, which lies above log A (convex), by a third at order 1.5 and a few percent at 2.5.
    double q = 1e-6;
    double noise = 10;
    double rdp2 = 1.0050167084168005e-14;
    double rdp3 = 1.5075250778268208e-14;
    assertAtOrJustAbove(rdp2, SampledGaussianRdp.rdp(q, noise, 2), "order 2");
    assertAtOrJustAbove(rdp3, SampledGaussianRdp.rdp(q, noise, 3), "order 3");

    double rdp15 = SampledGaussianRdp.rdp(q, noise, 1.5);
    assertTrue(rdp15 >= 7.5376252751219558e-15, "order 1.5: " + rdp15);
    assertAtOrJustAbove(0.5 * rdp2 / 0.5, rdp15, "chord from order 1 (log A = 0) to order 2");

    double rdp25 = SampledGaussianRdp.rdp(q, noise, 2.5);
    assertTrue(rdp25 >= 1.256270891855009e-14, "order 2.5: " + rdp25);
    assertAtOrJustAbove((0.5 * rdp2 + 0.5 * 2 * rdp3) / 1.5, rdp25, "chord from order 2 to order 3");
  }

  @Test
  void orderOneOrBelow_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SampledGaussianRdp.rdp(0.01, 1, 1));
    assertTrue(e.getMessage().contains("order"), e.getMessage());
  }

  private static void assertMatchesAtEveryOrder(double q, double noise, double[] reference) {
    assertEquals(ORDERS.length, reference.length);
    for (int i = 0; i < ORDERS.length; i++) {
      assertAtOrJustAbove(reference[i], SampledGaussianRdp.rdp(q, noise, ORDERS[i]), "order " + ORDERS[i]);
    }
  }

  private static void assertAtOrJustAbove(double reference, double rdp, String what) {
    assertTrue(rdp >= reference, what + ": " + rdp + " below the reference " + reference);
    assertEquals(reference, rdp, ABOVE_TOLERANCE * reference, what);
  }
}
