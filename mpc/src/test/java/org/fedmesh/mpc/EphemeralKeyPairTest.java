package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 7748 section 6.1 test vectors, plus the refusals. */
class EphemeralKeyPairTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] ALICE_PRIVATE =
      HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  private static final byte[] ALICE_PUBLIC =
      HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  private static final byte[] BOB_PRIVATE =
      HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  private static final byte[] BOB_PUBLIC =
      HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  private static final byte[] SHARED_SECRET =
      HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

  @Test
  void publicKey_rfc7748PrivateKeys_matchPublishedPublicKeys() {
    assertArrayEquals(ALICE_PUBLIC, EphemeralKeyPair.fromPrivateKey(ALICE_PRIVATE).publicKey());
    assertArrayEquals(BOB_PUBLIC, EphemeralKeyPair.fromPrivateKey(BOB_PRIVATE).publicKey());
  }

  @Test
  void agree_rfc7748AliceAndBob_bothDerivePublishedSharedSecret() {
    assertArrayEquals(SHARED_SECRET, EphemeralKeyPair.fromPrivateKey(ALICE_PRIVATE).agree(BOB_PUBLIC));
    assertArrayEquals(SHARED_SECRET, EphemeralKeyPair.fromPrivateKey(BOB_PRIVATE).agree(ALICE_PUBLIC));
  }

  @Test
  void agree_generatedPairs_deriveSameSecret() {
    SecureRandom random = new SecureRandom();
    EphemeralKeyPair a = EphemeralKeyPair.generate(random);
    EphemeralKeyPair b = EphemeralKeyPair.generate(random);
    assertArrayEquals(a.agree(b.publicKey()), b.agree(a.publicKey()));
    assertFalse(Arrays.equals(a.publicKey(), b.publicKey()));
  }

  @Test
  void agree_allZeroPublicKey_refusedAsLowOrderPoint() {
    EphemeralKeyPair alice = EphemeralKeyPair.fromPrivateKey(ALICE_PRIVATE);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> alice.agree(new byte[32]));
    assertTrue(e.getMessage().contains("low-order"), e.getMessage());
  }

  @Test
  void agree_publicKeyOne_refusedAsLowOrderPoint() {
    byte[] one = new byte[32];
    one[0] = 1;
    EphemeralKeyPair alice = EphemeralKeyPair.fromPrivateKey(ALICE_PRIVATE);
    assertThrows(IllegalArgumentException.class, () -> alice.agree(one));
  }

  @Test
  void agree_wrongLength_refused() {
    EphemeralKeyPair alice = EphemeralKeyPair.fromPrivateKey(ALICE_PRIVATE);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> alice.agree(new byte[31]));
    assertTrue(e.getMessage().contains("31"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> alice.agree(new byte[33]));
  }

  @Test
  void publicKey_mutatingReturnedArray_leavesKeyUnchanged() {
    EphemeralKeyPair alice = EphemeralKeyPair.fromPrivateKey(ALICE_PRIVATE);
    alice.publicKey()[0] ^= 1;
    assertArrayEquals(ALICE_PUBLIC, alice.publicKey());
    assertEquals(32, alice.publicKey().length);
  }
}
