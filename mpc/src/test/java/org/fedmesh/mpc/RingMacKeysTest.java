package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RingMacKeysTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] SECRET = HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  private static final byte[] NONCE = HEX.parseHex("0102030405060708090a0b0c0d0e0f10");

  @Test
  void derive_bothEndsOfALink_agreeOnTheKey() {
    SecureRandom random = new SecureRandom();
    EphemeralKeyPair alice = EphemeralKeyPair.generate(random);
    EphemeralKeyPair bob = EphemeralKeyPair.generate(random);
    byte[] atAlice = RingMacKeys.derive(alice.agree(bob.publicKey()), 3, 1, NONCE, "alice", "bob");
    byte[] atBob = RingMacKeys.derive(bob.agree(alice.publicKey()), 3, 1, NONCE, "alice", "bob");
    assertArrayEquals(atAlice, atBob);
    assertEquals(RingMacKeys.KEY_BYTES, atAlice.length);
  }

  @Test
  void derive_eachDirection_hasItsOwnKey() {
    assertDiffers(RingMacKeys.derive(SECRET, 3, 1, NONCE, "alice", "bob"),
        RingMacKeys.derive(SECRET, 3, 1, NONCE, "bob", "alice"));
  }

  @Test
  void derive_neverEqualsTheMaskSeedOfThePair() {
    byte[] seed = PairSeeds.derive(SECRET, 3, 1, NONCE, "alice", "bob");
    assertDiffers(seed, RingMacKeys.derive(SECRET, 3, 1, NONCE, "alice", "bob"));
    assertDiffers(seed, RingMacKeys.derive(SECRET, 3, 1, NONCE, "bob", "alice"));
  }

  @Test
  void derive_otherAttemptOrNonce_givesAnotherKey() {
    byte[] base = RingMacKeys.derive(SECRET, 3, 1, NONCE, "alice", "bob");
    byte[] otherNonce = NONCE.clone();
    otherNonce[15] ^= 1;
    assertDiffers(base, RingMacKeys.derive(SECRET, 4, 1, NONCE, "alice", "bob"));
    assertDiffers(base, RingMacKeys.derive(SECRET, 3, 2, NONCE, "alice", "bob"));
    assertDiffers(base, RingMacKeys.derive(SECRET, 3, 1, otherNonce, "alice", "bob"));
  }

  @Test
  void derive_sameIdTwice_refused() {
    assertThrows(IllegalArgumentException.class, () -> RingMacKeys.derive(SECRET, 1, 0, NONCE, "alice", "alice"));
  }

  private static void assertDiffers(byte[] a, byte[] b) {
    assertFalse(Arrays.equals(a, b));
  }
}
