package org.fedmesh.node.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A member's clipped update and its noise share, checked by their statistics over many coordinates. */
class MemberLevelNoiseTest {
  private static final int D = 200_000;

  private static DpSettings member(double noise, double clip) {
    return new DpSettings(DpSettings.Level.MEMBER, noise, clip, 1e-5, 0, 0.01, 1);
  }

  @Test
  void shareOfFour_hasAQuarterOfTheVariance_andIsCentredOnTheClippedUpdate() {
    float[] delta = new float[D];
    Arrays.fill(delta, 0.01f); // norm 4.47, clipped to 2: each coordinate becomes 0.01 * 2 / 4.47
    MemberLevelNoise noise = new MemberLevelNoise(member(1.5, 2.0), 4, new PrivateRandom());
    float[] noisy = noise.apply(delta);

    double expectedMean = 0.01 * 2 / Math.sqrt(D * 0.0001);
    double expectedSigma = 1.5 * 2.0 / Math.sqrt(4);
    double mean = Arrays.stream(toDoubles(noisy)).average().orElseThrow();
    double variance = Arrays.stream(toDoubles(noisy)).map(v -> (v - mean) * (v - mean)).sum() / (D - 1);
    // Six standard errors: a wrong scale (e.g. no division by the shares, or no clipping) is far outside.
    assertEquals(expectedMean, mean, 6 * expectedSigma / Math.sqrt(D), "mean");
    assertEquals(expectedSigma * expectedSigma, variance, 6 * expectedSigma * expectedSigma * Math.sqrt(2.0 / D),
        "variance");
    assertEquals(expectedSigma, noise.shareSigma(), 1e-12);
    assertEquals(0.01f, delta[0], "the caller's update is left alone");
  }

  @Test
  void shortUpdate_isNotScaledUp() {
    float[] delta = new float[D];
    delta[0] = 0.5f; // norm 0.5, below the clip of 1
    float[] noisy = new MemberLevelNoise(member(1e-6, 1.0), 1, new PrivateRandom()).apply(delta);
    assertEquals(0.5, noisy[0], 1e-4);
  }

  @Test
  void noisyNorm_staysUnderTheBoundTheEncodingIsSizedFor() {
    MemberLevelNoise noise = new MemberLevelNoise(member(1.0, 1.0), 3, new PrivateRandom());
    float[] delta = new float[D];
    delta[1] = 5;
    float[] noisy = noise.apply(delta);
    double norm = Math.sqrt(Arrays.stream(toDoubles(noisy)).map(v -> v * v).sum());
    double bound = noise.normBound(D);
    assertTrue(norm < bound, norm + " < " + bound);
    // Not absurdly loose either: within 3% of the typical norm of a clipped update plus its share.
    assertTrue(bound < 1.03 * (1 + noise.shareSigma() * Math.sqrt(D)), "bound " + bound);
    assertEquals(bound, MemberLevelNoise.normBound(member(1.0, 1.0), 3, D), 1e-9);
  }

  @Test
  void twoMembersWithTheSameUpdate_addDifferentNoise() {
    float[] delta = new float[1000];
    float[] a = new MemberLevelNoise(member(1, 1), 3, new PrivateRandom()).apply(delta);
    float[] b = new MemberLevelNoise(member(1, 1), 3, new PrivateRandom()).apply(delta);
    assertFalse(Arrays.equals(a, b), "noise must not depend on anything but a fresh secret key");
  }

  @Test
  void recordLevelSettings_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new MemberLevelNoise(
        new DpSettings(DpSettings.Level.RECORD, 1, 1, 1e-5, 0, 0.01, 1), 3, new PrivateRandom()));
  }

  private static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
