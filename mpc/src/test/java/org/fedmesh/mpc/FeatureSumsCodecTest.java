package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FeatureSumsCodecTest {

  private final FeatureSumsCodec codec = FeatureSumsCodec.create(32, 1_000_000);

  /** Three members' rows: a tiny feature, a large one (squares near 1e14) and a negative one. */
  private static float[] rows(Random random, int rows) {
    float[] features = new float[rows * 3];
    for (int r = 0; r < rows; r++) {
      features[3 * r] = (float) (1e-3 * random.nextGaussian());
      features[3 * r + 1] = (float) (1e6 + 2e5 * random.nextGaussian());
      features[3 * r + 2] = (float) (-50 + random.nextGaussian());
    }
    return features;
  }

  @Test
  void decode_sumOfMembersEncodings_givesThePooledSums() {
    Random random = new Random(7);
    float[][] members = {rows(random, 120), rows(random, 40), rows(random, 75)};
    int length = FeatureSumsCodec.slots(3) + 10;
    long[] sum = new long[length];
    float[] pooled = new float[0];
    for (float[] member : members) {
      LongVectors.addInPlace(sum, codec.encode(FeatureSums.of(member, member.length / 3, 3, "member"), length));
      pooled = concat(pooled, member);
    }
    FeatureSums expected = FeatureSums.of(pooled, pooled.length / 3, 3, "pooled");
    FeatureSums decoded = codec.decode(sum, 3);

    assertEquals(235, decoded.rows());
    for (int c = 0; c < 3; c++) {
      // Each member's sum is rounded to 2^-24 (three roundings); double addition in another order adds ulps.
      double tolerance = 3 * Math.scalb(1.0, -24) + 1e-13 * Math.abs(expected.sumsOfSquares()[c]);
      assertEquals(expected.sums()[c], decoded.sums()[c], tolerance, "sum of feature " + c);
      assertEquals(expected.sumsOfSquares()[c], decoded.sumsOfSquares()[c], tolerance, "squares of feature " + c);
      assertEquals(expected.variance(c), decoded.variance(c), 1e-9 * (1 + expected.variance(c)), "variance " + c);
    }
  }

  @Test
  void encode_negativeSum_roundTripsThroughTheTwoWords() {
    FeatureSums sums = new FeatureSums(3, new double[] {-12345.678}, new double[] {987.5});
    FeatureSums decoded = codec.decode(codec.encode(sums, FeatureSumsCodec.slots(1)), 1);
    assertEquals(-12345.678, decoded.sums()[0], Math.scalb(1.0, -24));
    assertEquals(987.5, decoded.sumsOfSquares()[0], 0);
  }

  @Test
  void encode_sumTooLargeToAddUp_isRefusedNamingTheFeature() {
    FeatureSums huge = new FeatureSums(10, new double[] {1.0, 2.0}, new double[] {1.0, 1e30});
    InvalidUpdateException e = assertThrows(InvalidUpdateException.class,
        () -> codec.encode(huge, FeatureSumsCodec.slots(2)));
    assertTrue(e.getMessage().contains("feature 1"), e.getMessage());
  }

  @Test
  void encode_nonFiniteValue_isRefusedNamingRowAndFeature() {
    InvalidUpdateException e = assertThrows(InvalidUpdateException.class,
        () -> FeatureSums.of(new float[] {1f, 2f, Float.NaN, 4f}, 2, 2, "site-1 training rows"));
    assertTrue(e.getMessage().contains("site-1 training rows: row 1, feature 0"), e.getMessage());
  }

  @Test
  void decode_vectorWhoseMasksDidNotCancel_isRefused() {
    Random random = new Random(11);
    long[] garbage = new long[FeatureSumsCodec.slots(4) + 6];
    for (int attempt = 0; attempt < 50; attempt++) {
      for (int j = 0; j < garbage.length; j++) {
        garbage[j] = random.nextLong();
      }
      assertThrows(IllegalArgumentException.class, () -> codec.decode(garbage, 4));
    }
  }

  @Test
  void decode_plausibleSumsWithNonZeroPadding_isRefused() {
    long[] vector = codec.encode(new FeatureSums(5, new double[] {1}, new double[] {1}), 8);
    vector[7] = 1;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.decode(vector, 1));
    assertTrue(e.getMessage().contains("word 7"), e.getMessage());
  }

  @Test
  void encode_rowCountOutsideBounds_isRefused() {
    assertThrows(InvalidUpdateException.class,
        () -> codec.encode(new FeatureSums(0, new double[] {0}, new double[] {0}), 5));
    assertThrows(InvalidUpdateException.class,
        () -> codec.encode(new FeatureSums(2_000_000, new double[] {0}, new double[] {0}), 5));
  }

  private static float[] concat(float[] a, float[] b) {
    float[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
