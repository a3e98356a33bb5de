package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Real X25519 and AES-GCM: an envelope opens only for its receiver, under its exact binding, unaltered. */
class PeerEnvelopeTest {
  private final SecureRandom random = seeded(20240611L);
  private final EphemeralKeyPair alice = EphemeralKeyPair.generate(random);
  private final EphemeralKeyPair bob = EphemeralKeyPair.generate(random);
  private final EphemeralKeyPair carol = EphemeralKeyPair.generate(random);
  private final byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  private final PeerEnvelope.Binding aliceToBob =
      new PeerEnvelope.Binding(7, 2, nonce, "alice", "bob", "SEED_SHARE");
  private final byte[] plaintext = "a share of alice's seed".getBytes(StandardCharsets.UTF_8);

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed); // before any output: the stream is then fixed, so every run is the same
      return random;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void open_byTheReceiverWithTheSameBinding_givesThePlaintext() throws Exception {
    PeerEnvelope.Sealed sealed = PeerEnvelope.seal(alice.agree(bob.publicKey()), aliceToBob, plaintext, random);
    assertFalse(Arrays.equals(plaintext, Arrays.copyOf(sealed.ciphertext(), plaintext.length)),
        "the ciphertext is not the plaintext");
    assertEquals(plaintext.length + 16, sealed.ciphertext().length, "ciphertext and a 128-bit tag");
    assertArrayEquals(plaintext, PeerEnvelope.open(bob.agree(alice.publicKey()), aliceToBob, sealed));
    // A binding equal in value (not the same instance) opens it too.
    assertArrayEquals(plaintext, PeerEnvelope.open(bob.agree(alice.publicKey()),
        new PeerEnvelope.Binding(7, 2, nonce.clone(), "alice", "bob", "SEED_SHARE"), sealed));
  }

  @Test
  void open_anEmptyBody_works() throws Exception {
    PeerEnvelope.Sealed sealed = PeerEnvelope.seal(alice.agree(bob.publicKey()), aliceToBob, new byte[0], random);
    assertArrayEquals(new byte[0], PeerEnvelope.open(bob.agree(alice.publicKey()), aliceToBob, sealed));
  }

  @Test
  void seal_twice_givesDifferentEnvelopes() {
    byte[] secret = alice.agree(bob.publicKey());
    assertFalse(PeerEnvelope.seal(secret, aliceToBob, plaintext, random)
        .equals(PeerEnvelope.seal(secret, aliceToBob, plaintext, random)), "a fresh IV each time");
  }

  @Test
  void open_elsewhere_orAltered_fails() throws Exception {
    PeerEnvelope.Sealed sealed = PeerEnvelope.seal(alice.agree(bob.publicKey()), aliceToBob, plaintext, random);
    byte[] bobsSecret = bob.agree(alice.publicKey());
    // The untouched envelope opens, so each failure below is due to the one thing changed.
    assertArrayEquals(plaintext, PeerEnvelope.open(bobsSecret, aliceToBob, sealed));

    byte[] otherNonce = nonce.clone();
    otherNonce[15] ^= 1;
    byte[] flippedCiphertext = sealed.ciphertext();
    flippedCiphertext[0] ^= 1;
    byte[] flippedTag = sealed.ciphertext();
    flippedTag[flippedTag.length - 1] ^= (byte) 0x80;
    byte[] flippedIv = sealed.iv();
    flippedIv[11] ^= 1;

    Map<String, Opening> cases = new LinkedHashMap<>();
    cases.put("another pair's secret (carol and alice)",
        () -> PeerEnvelope.open(carol.agree(alice.publicKey()), aliceToBob, sealed));
    cases.put("another pair's secret (carol and bob)",
        () -> PeerEnvelope.open(carol.agree(bob.publicKey()), aliceToBob, sealed));
    cases.put("another round",
        () -> PeerEnvelope.open(bobsSecret, new PeerEnvelope.Binding(8, 2, nonce, "alice", "bob", "SEED_SHARE"),
            sealed));
    cases.put("another attempt number",
        () -> PeerEnvelope.open(bobsSecret, new PeerEnvelope.Binding(7, 3, nonce, "alice", "bob", "SEED_SHARE"),
            sealed));
    cases.put("another nonce",
        () -> PeerEnvelope.open(bobsSecret,
            new PeerEnvelope.Binding(7, 2, otherNonce, "alice", "bob", "SEED_SHARE"), sealed));
    cases.put("the other direction",
        () -> PeerEnvelope.open(bobsSecret, new PeerEnvelope.Binding(7, 2, nonce, "bob", "alice", "SEED_SHARE"),
            sealed));
    cases.put("another purpose",
        () -> PeerEnvelope.open(bobsSecret, new PeerEnvelope.Binding(7, 2, nonce, "alice", "bob", "REVEAL"),
            sealed));
    cases.put("another receiver",
        () -> PeerEnvelope.open(bobsSecret, new PeerEnvelope.Binding(7, 2, nonce, "alice", "carol", "SEED_SHARE"),
            sealed));
    cases.put("an altered ciphertext",
        () -> PeerEnvelope.open(bobsSecret, aliceToBob, new PeerEnvelope.Sealed(sealed.iv(), flippedCiphertext)));
    cases.put("an altered tag",
        () -> PeerEnvelope.open(bobsSecret, aliceToBob, new PeerEnvelope.Sealed(sealed.iv(), flippedTag)));
    cases.put("a truncated ciphertext",
        () -> PeerEnvelope.open(bobsSecret, aliceToBob, new PeerEnvelope.Sealed(sealed.iv(),
            Arrays.copyOf(sealed.ciphertext(), sealed.ciphertext().length - 1))));
    cases.put("an altered IV",
        () -> PeerEnvelope.open(bobsSecret, aliceToBob, new PeerEnvelope.Sealed(flippedIv, sealed.ciphertext())));
    cases.put("an IV of the wrong length",
        () -> PeerEnvelope.open(bobsSecret, aliceToBob,
            new PeerEnvelope.Sealed(Arrays.copyOf(sealed.iv(), 16), sealed.ciphertext())));
    cases.forEach((what, opening) -> assertThrows(GeneralSecurityException.class, opening::open, what));
  }

  @Test
  void binding_toItsOwnSender_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PeerEnvelope.Binding(7, 2, nonce, "alice", "alice", "SEED_SHARE"));
    assertEquals("an envelope goes to another member, not back to 'alice'", e.getMessage());
  }

  @FunctionalInterface
  private interface Opening {
    byte[] open() throws GeneralSecurityException;
  }
}
