package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShareEnvelopeTest {
  private final SecureRandom random = new SecureRandom();
  private final EphemeralKeyPair alice = EphemeralKeyPair.generate(random);
  private final EphemeralKeyPair bob = EphemeralKeyPair.generate(random);
  private final EphemeralKeyPair carol = EphemeralKeyPair.generate(random);
  private final byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  private final ShareEnvelope.Binding aliceToBob = new ShareEnvelope.Binding(7, 2, nonce, "alice", "bob");
  private final SeedShares.Share share = SeedShares.split(new byte[32], 3, 2, random).get(1);

  @Test
  void open_byTheReceiverInTheSameAttempt_givesTheShare() throws Exception {
    ShareEnvelope.Sealed sealed = ShareEnvelope.seal(alice.agree(bob.publicKey()), aliceToBob, share, random);
    assertEquals(share, ShareEnvelope.open(bob.agree(alice.publicKey()), aliceToBob, sealed));
  }

  @Test
  void open_elsewhere_orAltered_fails() {
    ShareEnvelope.Sealed sealed = ShareEnvelope.seal(alice.agree(bob.publicKey()), aliceToBob, share, random);
    byte[] bobsSecret = bob.agree(alice.publicKey());
    byte[] flipped = sealed.ciphertext();
    flipped[0] ^= 1;
    Map<String, Runnable> cases = Map.of(
        "another pair's secret", () -> open(carol.agree(alice.publicKey()), aliceToBob, sealed),
        "another attempt", () -> open(bobsSecret, new ShareEnvelope.Binding(7, 3, nonce, "alice", "bob"), sealed),
        "another nonce", () -> open(bobsSecret, new ShareEnvelope.Binding(7, 2, new byte[16], "alice", "bob"),
            sealed),
        "the other direction", () -> open(bobsSecret, new ShareEnvelope.Binding(7, 2, nonce, "bob", "alice"), sealed),
        "another index", () -> open(bobsSecret, aliceToBob,
            new ShareEnvelope.Sealed(3, sealed.iv(), sealed.ciphertext())),
        "an altered ciphertext", () -> open(bobsSecret, aliceToBob,
            new ShareEnvelope.Sealed(sealed.index(), sealed.iv(), flipped)));
    cases.forEach((what, attempt) -> assertThrows(WrongEnvelope.class, attempt::run, what));
  }

  private static final class WrongEnvelope extends RuntimeException {
    WrongEnvelope(Throwable cause) {
      super(cause);
    }
  }

  private static void open(byte[] secret, ShareEnvelope.Binding binding, ShareEnvelope.Sealed sealed) {
    try {
      ShareEnvelope.open(secret, binding, sealed);
    } catch (GeneralSecurityException e) {
      throw new WrongEnvelope(e);
    }
  }
}
