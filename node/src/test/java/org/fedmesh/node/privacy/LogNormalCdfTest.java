package org.fedmesh.node.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * log Φ against mpmath at 40 digits:
 * {@code python3 -c "import mpmath as mp; mp.mp.dps=40; print(mp.log(mp.ncdf(-40)))"} and likewise for each x.
 */
class LogNormalCdfTest {
  @Test
  void body_matchesMpmath() {
    assertClose(-39.197396428217669289, LogNormalCdf.logPhi(-8.5));
    assertClose(-1.8410216450092635058, LogNormalCdf.logPhi(-1));
    assertClose(-0.69314718055994530942, LogNormalCdf.logPhi(0));
    assertClose(-0.17275377902344988953, LogNormalCdf.logPhi(1));
  }

  @Test
  void upperTail_keepsTheDistanceFromOne() {
    assertClose(-6.2209605742717860585e-16, LogNormalCdf.logPhi(8));
  }

  @Test
  void lowerTail_eitherSideOfTheSeriesSwitch_matchesMpmath() {
    assertClose(-194.01696577749749941, LogNormalCdf.logPhi(-19.5));
    assertClose(-203.91715537109726394, LogNormalCdf.logPhi(-20));
    assertClose(-214.06672896326380017, LogNormalCdf.logPhi(-20.5));
  }

  @Test
  void farLowerTail_whereTheCdfItselfUnderflows_matchesMpmath() {
    assertClose(-804.60844201375378817, LogNormalCdf.logPhi(-40));
    assertClose(-20006.217280898190402, LogNormalCdf.logPhi(-200));
  }

  private static void assertClose(double expected, double actual) {
    assertEquals(expected, actual, 1e-13 * Math.abs(expected));
  }
}
