package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class WeightedUpdateCodecTest {

  private static final int F = 16;
  private static final double ONE = 1 << F;
  private final WeightedUpdateCodec codec = WeightedUpdateCodec.create(10.0, F, 100, 10_000, 50.0);

  @Test
  void vectorLength_anyParameterCount_isParametersPlusTwo() {
    assertEquals(2, codec.vectorLength(0));
    assertEquals(1002, codec.vectorLength(1000));
  }

  @Test
  void encode_smallUpdate_hasWeightedFixedPointLayout() {
    EncodedUpdate encoded = codec.encode(new float[] {0.5f, -0.25f, 0f}, 3, 1.5);
    assertArrayEquals(new long[] {Math.round(3 * 0.5 * ONE), Math.round(3 * -0.25 * ONE), 0,
        Math.round(3 * 1.5 * ONE), 3}, encoded.vector());
    assertFalse(encoded.clipped());
    assertEquals(Math.sqrt(0.25 + 0.0625), encoded.originalNorm(), 1e-12);
  }

  @Test
  void encode_normAboveClipNorm_scaledDownToClipNormWithoutTouchingInput() {
    WeightedUpdateCodec clipAtOne = WeightedUpdateCodec.create(1.0, F, 10, 100, 10.0);
    float[] delta = {3f, 4f};
    EncodedUpdate encoded = clipAtOne.encode(delta, 2, 0.0);
    assertTrue(encoded.clipped());
    assertEquals(5.0, encoded.originalNorm(), 1e-12);
    assertArrayEquals(new float[] {3f, 4f}, delta);
    assertEquals(2 * 0.6 * ONE, encoded.vector()[0], 1.0);
    assertEquals(2 * 0.8 * ONE, encoded.vector()[1], 1.0);
    double clippedNorm = Math.hypot(encoded.vector()[0], encoded.vector()[1]) / (2 * ONE);
    assertTrue(clippedNorm <= 1.0 + 1.0 / ONE, "norm after clipping " + clippedNorm);
  }

  @Test
  void encode_hugeFiniteUpdate_clippedWithinBound() {
    float[] delta = new float[1000];
    java.util.Arrays.fill(delta, Float.MAX_VALUE);
    EncodedUpdate encoded = codec.encode(delta, 10_000, 1e300);
    assertTrue(encoded.clipped());
    for (long coordinate : encoded.vector()) {
      assertTrue(Math.abs(coordinate) <= codec.coordinateBound());
    }
  }

  @Test
  void encode_lossAboveMaxLoss_encodedAsMaxLoss() {
    EncodedUpdate encoded = codec.encode(new float[] {0f}, 2, 1e9);
    assertEquals(Math.round(2 * 50.0 * ONE), encoded.vector()[1]);
  }

  @Test
  void encode_nanCoordinate_refusedNamingItsIndex() {
    float[] delta = {0f, 1f, Float.NaN, Float.NaN};
    InvalidUpdateException e = assertThrows(InvalidUpdateException.class, () -> codec.encode(delta, 1, 0.1));
    assertTrue(e.getMessage().contains("delta[2]") && e.getMessage().contains("NaN"), e.getMessage());
  }

  @Test
  void encode_infiniteCoordinate_refusedNamingItsIndex() {
    float[] delta = {Float.NEGATIVE_INFINITY};
    InvalidUpdateException e = assertThrows(InvalidUpdateException.class, () -> codec.encode(delta, 1, 0.1));
    assertTrue(e.getMessage().contains("delta[0]") && e.getMessage().contains("Infinity"), e.getMessage());
  }

  @Test
  void encode_nonFiniteOrNegativeLoss_refused() {
    assertInvalid(() -> codec.encode(new float[1], 1, Double.NaN), "NaN");
    assertInvalid(() -> codec.encode(new float[1], 1, Double.POSITIVE_INFINITY), "Infinity");
    assertInvalid(() -> codec.encode(new float[1], 1, -0.5), "negative");
  }

  @Test
  void encode_sampleCountOutOfRange_refused() {
    assertInvalid(() -> codec.encode(new float[1], 0, 0.1), "sample count 0");
    assertInvalid(() -> codec.encode(new float[1], 10_001, 0.1), "sample count 10001");
  }

  @Test
  void create_configurationThatCouldWrap_refusedSayingWhatToLower() {
    // 1000 * 2^20 * 10 * 2^29 = 5.6e18 > 2^62
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WeightedUpdateCodec.create(10.0, 29, 1000, 1L << 20, 10.0));
    assertTrue(e.getMessage().contains("2^62") && e.getMessage().contains("fractionalBits to 28"),
        e.getMessage());
    assertTrue(e.getMessage().contains("1000") && e.getMessage().contains("1048576"), e.getMessage());
  }

  @Test
  void create_configurationThatWrapsEvenAtMinimumBits_refusedSayingSo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WeightedUpdateCodec.create(1e12, 8, 1000, 1_000_000, 1.0));
    assertTrue(e.getMessage().contains("even fractionalBits = 8"), e.getMessage());
  }

  @Test
  void create_parametersOutOfRange_refused() {
    assertThrows(IllegalArgumentException.class, () -> WeightedUpdateCodec.create(0, F, 10, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> WeightedUpdateCodec.create(Double.NaN, F, 10, 10, 1));
    assertThrows(IllegalArgumentException.class,
        () -> WeightedUpdateCodec.create(Double.POSITIVE_INFINITY, F, 10, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> WeightedUpdateCodec.create(1, 7, 10, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> WeightedUpdateCodec.create(1, 41, 10, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> WeightedUpdateCodec.create(1, F, 0, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> WeightedUpdateCodec.create(1, F, 10, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> WeightedUpdateCodec.create(1, F, 10, 10, Double.NaN));
  }

  @Test
  void decode_sumOfMaxMagnitudeEncodingsAtMaxParticipants_doesNotWrap() {
    // 1000 * 2^20 * 10 * 2^28 = 2.8e18: above 2^61, just below the 2^62 limit.
    int participants = 1000;
    long maxSamples = 1L << 20;
    WeightedUpdateCodec tight = WeightedUpdateCodec.create(10.0, 28, participants, maxSamples, 10.0);
    float[] positive = {10f, 0f};
    float[] negative = {0f, -10f};
    long[] sum = new long[tight.vectorLength(2)];
    for (int i = 0; i < participants; i++) {
      LongVectors.addInPlace(sum, tight.encode(i % 2 == 0 ? positive : negative, maxSamples, 10.0).vector());
    }
    assertTrue(sum[2] > (1L << 61), "the loss sum should be near the limit, was " + sum[2]);
    DecodedSum decoded = tight.decode(sum, 2);
    assertEquals(participants * maxSamples, decoded.totalSamples());
    assertEquals(5.0, decoded.meanDelta()[0], 1e-9);
    assertEquals(-5.0, decoded.meanDelta()[1], 1e-9);
    assertEquals(10.0, decoded.meanLoss(), 1e-9);
  }

  @Test
  void decode_weightedEncodings_giveSampleWeightedMean() {
    long[] sum = codec.encode(new float[] {1f}, 1, 2.0).vector();
    LongVectors.addInPlace(sum, codec.encode(new float[] {-1f}, 3, 4.0).vector());
    DecodedSum decoded = codec.decode(sum);
    assertEquals((1 - 3) / 4.0, decoded.meanDelta()[0], 1e-12);
    assertEquals((2 + 12) / 4.0, decoded.meanLoss(), 1e-12);
    assertEquals(4, decoded.totalSamples());
  }

  @Test
  void decode_lengthMismatch_refused() {
    long[] sum = codec.encode(new float[3], 1, 0).vector();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.decode(sum, 4));
    assertTrue(e.getMessage().contains("expected 6"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> codec.decode(new long[1]));
  }

  @Test
  void decode_nonPositiveTotalSamples_refused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new long[] {0, 0, 0}));
    assertTrue(e.getMessage().contains("total sample count 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> codec.decode(new long[] {0, 0, -5}));
  }

  @Test
  void decode_vectorWhoseMasksDidNotCancel_refused() {
    long[] sum = codec.encode(new float[] {0.1f, 0.2f}, 10, 1).vector();
    sum[0] += new Random(9).nextLong() | (1L << 62); // what a leftover mask looks like
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.decode(sum));
    assertTrue(e.getMessage().contains("masks did not cancel"), e.getMessage());
  }

  private static void assertInvalid(Executable encode, String expectedInMessage) {
    InvalidUpdateException e = assertThrows(InvalidUpdateException.class, encode);
    assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
  }

  @Test
  void countSlots_sumAsTheyAre_afterTheSampleCount() {
    WeightedUpdateCodec counting = codec.withCountSlots(4);
    assertEquals(1006, counting.vectorLength(1000));
    long[] a = counting.encode(new float[] {0.5f}, 3, 1.0, new long[] {2, 0, 3, 1}).vector();
    long[] b = counting.encode(new float[] {0.25f}, 1, 1.0, new long[] {0, 1, 0, 1}).vector();
    long[] none = counting.encode(new float[] {0f}, 2, 1.0).vector(); // nothing to count: zeros
    assertEquals(7, a.length);
    assertArrayEquals(new long[] {2, 0, 3, 1}, java.util.Arrays.copyOfRange(a, 3, 7));
    long[] total = a.clone();
    LongVectors.addInPlace(total, b);
    LongVectors.addInPlace(total, none);
    DecodedSum sum = counting.decode(total, 1);
    assertArrayEquals(new long[] {2, 1, 3, 2}, sum.counts());
    assertEquals(6, sum.totalSamples());
    assertEquals((3 * 0.5 + 0.25) / 6, sum.meanDelta()[0], 1e-9);
  }

  @Test
  void countSlots_refuseAWrongNumberOrOutOfBoundCounts() {
    WeightedUpdateCodec counting = codec.withCountSlots(2);
    assertThrows(InvalidUpdateException.class, () -> counting.encode(new float[] {0f}, 1, 0, new long[] {1}));
    assertThrows(InvalidUpdateException.class, () -> counting.encode(new float[] {0f}, 1, 0, new long[] {-1, 0}));
    assertThrows(InvalidUpdateException.class,
        () -> counting.encode(new float[] {0f}, 1, 0, new long[] {10_001, 0}));
    long[] vector = counting.encode(new float[] {0f}, 1, 0, new long[] {1, 1}).vector();
    vector[3] = -5; // a garbage count in an otherwise valid sum
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> counting.decode(vector, 1));
    assertTrue(e.getMessage().contains("summed count 0 = -5"), e.getMessage());
  }
}
