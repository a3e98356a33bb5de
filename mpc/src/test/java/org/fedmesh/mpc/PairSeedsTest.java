package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PairSeedsTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] SECRET = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  private static final byte[] NONCE = HEX.parseHex("0102030405060708");

  @Test
  void hkdfSha256_rfc5869TestCase1_matchesPublishedOutput() {
    byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
    byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
    byte[] okm = HEX.parseHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    assertArrayEquals(okm, PairSeeds.hkdfSha256(ikm, salt, info, 42));
  }

  @Test
  void derive_idsInEitherOrder_giveSameSeed() {
    byte[] ab = PairSeeds.derive(SECRET, 7, 2, NONCE, "alice", "bob");
    byte[] ba = PairSeeds.derive(SECRET, 7, 2, NONCE, "bob", "alice");
    assertArrayEquals(ab, ba);
    assertEquals(PairSeeds.SEED_BYTES, ab.length);
  }

  @Test
  void derive_differentRoundAttemptNonceSecretOrPair_giveDifferentSeeds() {
    byte[] base = PairSeeds.derive(SECRET, 7, 2, NONCE, "alice", "bob");
    byte[] otherSecret = SECRET.clone();
    otherSecret[31] ^= 1;
    byte[] otherNonce = NONCE.clone();
    otherNonce[0] ^= 1;
    assertDiffers(base, PairSeeds.derive(SECRET, 8, 2, NONCE, "alice", "bob"));
    assertDiffers(base, PairSeeds.derive(SECRET, 7, 3, NONCE, "alice", "bob"));
    assertDiffers(base, PairSeeds.derive(SECRET, 7, 2, otherNonce, "alice", "bob"));
    assertDiffers(base, PairSeeds.derive(otherSecret, 7, 2, NONCE, "alice", "bob"));
    assertDiffers(base, PairSeeds.derive(SECRET, 7, 2, NONCE, "alice", "carol"));
  }

  @Test
  void derive_idsWithSameConcatenation_giveDifferentSeeds() {
    // "a"+"bc" and "ab"+"c" concatenate alike; the length prefixes must keep them apart.
    assertDiffers(PairSeeds.derive(SECRET, 1, 0, NONCE, "a", "bc"), PairSeeds.derive(SECRET, 1, 0, NONCE, "ab", "c"));
  }

  @Test
  void derive_sameIdTwice_refused() {
    assertThrows(IllegalArgumentException.class, () -> PairSeeds.derive(SECRET, 1, 0, NONCE, "alice", "alice"));
  }

  @Test
  void derive_wrongSecretLength_refused() {
    assertThrows(IllegalArgumentException.class, () -> PairSeeds.derive(new byte[16], 1, 0, NONCE, "a", "b"));
  }

  private static void assertDiffers(byte[] expected, byte[] actual) {
    assertFalse(Arrays.equals(expected, actual), "seeds should differ");
  }
}
