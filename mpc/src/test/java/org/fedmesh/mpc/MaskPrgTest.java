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
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class MaskPrgTest {

  /**
   * AES-256 of counter blocks 0 and 1 under the all-zero key: block 0 is the known answer for the zero key and zero
   * block (dc95c078...); both agree with the JDK's AES/ECB.
   */
  private static final String ZERO_KEY_BLOCKS_0_AND_1 =
      "dc95c078a2408989ad48a21492842087" + "530f8afbc74536b9a963b4f1c4cb738b";
  private static final int LONGS_PER_BUFFER = MaskPrg.BUFFER_BYTES / Long.BYTES;

  @Test
  void add_zeroSeedToZeroVector_givesAes256CounterBlocksAsLittleEndianLongs() {
    long[] vector = new long[4];
    MaskPrg.add(vector, new byte[32], false);
    assertArrayEquals(littleEndianLongs(ZERO_KEY_BLOCKS_0_AND_1), vector);
    assertEquals(0x898940a278c095dcL, vector[0]); // pins the byte order: bytes dc 95 c0 78 a2 40 89 89
  }

  @Test
  void add_oddStreamPosition_startsInTheMiddleOfACounterBlock() {
    long[] vector = new long[3];
    MaskPrg.add(vector, 0, 3, 1, new byte[32], false);
    assertArrayEquals(Arrays.copyOfRange(littleEndianLongs(ZERO_KEY_BLOCKS_0_AND_1), 1, 4), vector);
  }

  /** Far into the stream, checked against AES/ECB of the counter blocks themselves, not against AES/CTR. */
  @Test
  void add_farStreamPosition_isAesOfTheCounterBlocks() throws Exception {
    byte[] seed = randomSeed(new Random(7));
    long position = (1L << 40) + 1;
    long[] vector = new long[5];
    MaskPrg.add(vector, 0, vector.length, position, seed, false);
    ByteBuffer counters = ByteBuffer.allocate(3 * 16); // blocks position/2 .. position/2 + 2, big-endian counters
    for (long block = position / 2; block < position / 2 + 3; block++) {
      counters.putLong(0).putLong(block);
    }
    Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
    aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"));
    long[] stream = new long[6];
    ByteBuffer.wrap(aes.doFinal(counters.array())).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(stream);
    assertArrayEquals(Arrays.copyOfRange(stream, 1, 6), vector);
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
