package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskPrgTest {

  /** RFC 8439 appendix A.1, test vectors #1 and #2: ChaCha20 blocks 0 and 1 for an all-zero key and nonce. */
  private static final String ZERO_KEY_BLOCKS_0_AND_1 =
      "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
      + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586"
      + "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
      + "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f";
  private static final int LONGS_PER_BUFFER = MaskPrg.BUFFER_BYTES / Long.BYTES;

  @Test
  void add_zeroSeedToZeroVector_givesRfc8439KeystreamAsLittleEndianLongs() {
    long[] vector = new long[16];
    MaskPrg.add(vector, new byte[32], false);
    assertArrayEquals(littleEndianLongs(ZERO_KEY_BLOCKS_0_AND_1), vector);
    assertEquals(0x903df1a0ade0b876L, vector[0]); // pins the byte order: bytes 76 b8 e0 ad a0 f1 3d 90
  }

  @Test
  void add_streamPositionOfSecondBlock_givesRfc8439Block1() {
    long[] vector = new long[8];
    MaskPrg.add(vector, 0, 8, 8, new byte[32], false);
    assertArrayEquals(Arrays.copyOfRange(littleEndianLongs(ZERO_KEY_BLOCKS_0_AND_1), 8, 16), vector);
  }

  @Test
  void add_subtract_negatesTheKeystream() {
    long[] added = new long[16];
    long[] subtracted = new long[16];
    MaskPrg.add(added, new byte[32], false);
    MaskPrg.add(subtracted, new byte[32], true);
    for (int i = 0; i < 16; i++) {
      assertEquals(-added[i], subtracted[i]);
    }
  }

  @Test
  void add_thenSubtractSameSeed_restoresVectorAcrossSeveralBuffers() {
    Random random = new Random(3);
    long[] original = random.longs(2 * LONGS_PER_BUFFER + 77).toArray();
    byte[] seed = randomSeed(random);
    long[] vector = original.clone();
    MaskPrg.add(vector, seed, false);
    assertFalse(Arrays.equals(original, vector));
    MaskPrg.add(vector, seed, true);
    assertArrayEquals(original, vector);
  }

  @Test
  void add_inChunksAtMatchingStreamPositions_equalsMaskingWholeVector() {
    Random random = new Random(4);
    byte[] seed = randomSeed(random);
    int length = 3 * LONGS_PER_BUFFER + 11;
    long[] whole = new long[length];
    MaskPrg.add(whole, seed, false);
    long[] chunked = new long[length];
    int[] cuts = {0, 5, 13, LONGS_PER_BUFFER + 3, 2 * LONGS_PER_BUFFER, length};
    for (int c = 0; c + 1 < cuts.length; c++) {
      MaskPrg.add(chunked, cuts[c], cuts[c + 1] - cuts[c], cuts[c], seed, false);
    }
    assertArrayEquals(whole, chunked);
  }

  @Test
  void add_shortVector_isPrefixOfLongerVectorsStream() {
    byte[] seed = randomSeed(new Random(5));
    long[] longer = new long[LONGS_PER_BUFFER + 1];
    long[] one = new long[1];
    MaskPrg.add(longer, seed, false);
    MaskPrg.add(one, seed, false);
    assertEquals(longer[0], one[0]);
  }

  @Test
  void add_differentSeeds_giveDifferentStreams() {
    Random random = new Random(6);
    long[] a = new long[64];
    long[] b = new long[64];
    MaskPrg.add(a, randomSeed(random), false);
    MaskPrg.add(b, randomSeed(random), false);
    for (int i = 0; i < 64; i++) {
      assertTrue(a[i] != b[i], "coordinate " + i);
    }
  }

  @Test
  void add_wrongSeedLength_refused() {
    assertThrows(IllegalArgumentException.class, () -> MaskPrg.add(new long[4], new byte[16], false));
  }

  @Test
  void add_rangeOutsideVector_refused() {
    assertThrows(IndexOutOfBoundsException.class, () -> MaskPrg.add(new long[4], 2, 3, 0, new byte[32], false));
    assertThrows(IllegalArgumentException.class, () -> MaskPrg.add(new long[4], 0, 4, -1, new byte[32], false));
  }

  private static byte[] randomSeed(Random random) {
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    return seed;
  }

  private static long[] littleEndianLongs(String hex) {
    byte[] bytes = HexFormat.of().parseHex(hex);
    long[] longs = new long[bytes.length / 8];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(longs);
    return longs;
  }
}
