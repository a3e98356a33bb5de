package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole member-side pipeline: encode, mask pairwise, sum with wrap-around, decode. */
class SecureSumTest {

  private static final int F = 24;
  private static final int PRG_BUFFER_LONGS = MaskPrg.BUFFER_BYTES / Long.BYTES;
  private static final WeightedUpdateCodec CODEC = WeightedUpdateCodec.create(1000.0, F, 16, 100_000, 100.0);
  private static final long ROUND = 12;
  private static final int ATTEMPT = 1;
  private static final byte[] NONCE = {9, 8, 7, 6, 5, 4, 3, 2};

  /** n = 3..10 participants, each with a length of 1, one beyond two PRG buffers, and a random one. */
  static Stream<Arguments> participantsAndLengths() {
    Random random = new Random(2024);
    return IntStream.rangeClosed(3, 10).boxed().flatMap(n -> Stream.of(
        Arguments.of(n, 1),
        Arguments.of(n, 2 * PRG_BUFFER_LONGS + 13),
        Arguments.of(n, 2 + random.nextInt(5000))));
  }

  @ParameterizedTest(name = "{0} participants, {1} parameters")
  @MethodSource("participantsAndLengths")
  void sumOfMaskedEncodings_anyParticipantCount_decodesToWeightedMean(int n, int length) {
    Random random = new Random(31L * n + length);
    List<Participant> participants = participants(n, random);
    long[] sum = new long[CODEC.vectorLength(length)];
    double[] weightedDeltaSum = new double[length];
    double weightedLossSum = 0;
    long totalSamples = 0;
    for (Participant p : participants) {
      float[] delta = new float[length];
      for (int j = 0; j < length; j++) {
        delta[j] = (random.nextFloat() - 0.5f) * 0.02f;
      }
      long samples = 1 + random.nextInt(100_000);
      double loss = random.nextDouble() * 5;
      long[] plain = CODEC.encode(delta, samples, loss).vector();
      long[] masked = plain.clone();
      PairwiseMasks.apply(masked, p.id, p.keys, p.peerKeys, ROUND, ATTEMPT, NONCE);
      assertEquals(0, countEqual(plain, masked), "a masked vector must differ in every coordinate");
      LongVectors.addInPlace(sum, masked);
      for (int j = 0; j < length; j++) {
        weightedDeltaSum[j] += samples * (double) delta[j];
      }
      weightedLossSum += samples * loss;
      totalSamples += samples;
    }
    DecodedSum decoded = CODEC.decode(sum, length);
    double tolerance = n * 0.5 / Math.scalb(1.0, F) / totalSamples + 1e-12; // half a unit per encoding
    assertEquals(totalSamples, decoded.totalSamples());
    for (int j = 0; j < length; j++) {
      assertEquals(weightedDeltaSum[j] / totalSamples, decoded.meanDelta()[j], tolerance, "coordinate " + j);
    }
    assertEquals(weightedLossSum / totalSamples, decoded.meanLoss(), tolerance);
  }

  @ParameterizedTest(name = "{0} participants, {1} parameters")
  @MethodSource("participantsAndLengths")
  void masksAlone_anyParticipantCount_sumToExactlyZero(int n, int length) {
    Random random = new Random(17L * n + length);
    long[] sum = new long[length];
    for (Participant p : participants(n, random)) {
      long[] mask = new long[length];
      PairwiseMasks.apply(mask, p.id, p.keys, p.peerKeys, ROUND, ATTEMPT, NONCE);
      LongVectors.addInPlace(sum, mask);
    }
    assertArrayEquals(new long[length], sum);
  }

  @Test
  void sumMissingOneParticipant_refusedByDecode() {
    Random random = new Random(5);
    List<Participant> participants = participants(4, random);
    long[] partial = new long[CODEC.vectorLength(10)];
    for (Participant p : participants.subList(0, 3)) {
      long[] masked = CODEC.encode(new float[10], 100, 1.0).vector();
      PairwiseMasks.apply(masked, p.id, p.keys, p.peerKeys, ROUND, ATTEMPT, NONCE);
      LongVectors.addInPlace(partial, masked);
    }
    assertThrows(IllegalArgumentException.class, () -> CODEC.decode(partial));
  }

  @Test
  void derivedMasksAppliedInChunks_equalApplyOnWholeVector() {
    List<Participant> participants = participants(3, new Random(8));
    Participant p = participants.get(1);
    int length = PRG_BUFFER_LONGS + 100;
    long[] whole = new long[length];
    PairwiseMasks.apply(whole, p.id, p.keys, p.peerKeys, ROUND, ATTEMPT, NONCE);
    long[] chunked = new long[length];
    for (PairMask mask : PairwiseMasks.derive(p.id, p.keys, p.peerKeys, ROUND, ATTEMPT, NONCE)) {
      mask.applyTo(chunked, 0, 1000, 0);
      mask.applyTo(chunked, 1000, length - 1000, 1000);
    }
    assertArrayEquals(whole, chunked);
  }

  @Test
  void apply_peerMapContainingOwnId_refused() {
    Participant me = participants(3, new Random(1)).get(0);
    Map<String, byte[]> withMe = new HashMap<>(me.peerKeys);
    withMe.put(me.id, me.keys.publicKey());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PairwiseMasks.apply(new long[4], me.id, me.keys, withMe, ROUND, ATTEMPT, NONCE));
    assertTrue(e.getMessage().contains(me.id), e.getMessage());
  }

  @Test
  void apply_noPeers_refused() {
    EphemeralKeyPair keys = EphemeralKeyPair.generate(new SecureRandom());
    assertThrows(IllegalArgumentException.class,
        () -> PairwiseMasks.apply(new long[4], "a", keys, Map.of(), ROUND, ATTEMPT, NONCE));
  }

  @Test
  void apply_lowOrderPeerKey_refusedNamingPeer() {
    EphemeralKeyPair keys = EphemeralKeyPair.generate(new SecureRandom());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PairwiseMasks.apply(new long[4], "a", keys, Map.of("mallory", new byte[32]), ROUND, ATTEMPT,
            NONCE));
    assertTrue(e.getMessage().contains("mallory"), e.getMessage());
  }

  private record Participant(String id, EphemeralKeyPair keys, Map<String, byte[]> peerKeys) {
  }

  /** Participants with random ids (so String order differs from creation order) and each one's view of peers. */
  private static List<Participant> participants(int n, Random random) {
    SecureRandom secureRandom = new SecureRandom();
    List<String> ids = new ArrayList<>();
    while (ids.size() < n) {
      String id = "node-" + Integer.toString(random.nextInt(1_000_000), 36);
      if (!ids.contains(id)) {
        ids.add(id);
      }
    }
    Map<String, EphemeralKeyPair> keys = new HashMap<>();
    ids.forEach(id -> keys.put(id, EphemeralKeyPair.generate(secureRandom)));
    List<Participant> participants = new ArrayList<>();
    for (String id : ids) {
      Map<String, byte[]> peerKeys = new HashMap<>();
      ids.stream().filter(other -> !other.equals(id)).forEach(other -> peerKeys.put(other, keys.get(other).publicKey()));
      participants.add(new Participant(id, keys.get(id), peerKeys));
    }
    return participants;
  }

  private static int countEqual(long[] a, long[] b) {
    int equal = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b[i]) {
        equal++;
      }
    }
    return equal;
  }
}
