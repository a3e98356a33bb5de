package org.fedmesh.mpc;

import java.util.Objects;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Derives the 32-byte seed of one pair's mask from their X25519 shared secret with HKDF-SHA256 (RFC 5869).
 *
 * <p>The info string binds the protocol label, round, attempt, nonce and both node ids, so a seed is never
 * reused across rounds, attempts or pairs, even if a key pair were. The ids go in sorted order so both ends
 * of a pair derive the same seed.
 */
public final class PairSeeds {

  public static final int SEED_BYTES = 32;
  static final String LABEL = "fedmesh-mask-v1";

  private PairSeeds() {
  }

  public static byte[] derive(byte[] sharedSecret, long round, int attempt, byte[] nonce, String idA, String idB) {
    Objects.requireNonNull(idA, "idA");
    Objects.requireNonNull(idB, "idB");
    boolean ordered = idA.compareTo(idB) < 0;
    return pairKey(LABEL, sharedSecret, round, attempt, nonce, ordered ? idA : idB, ordered ? idB : idA,
        SEED_BYTES);
  }

  /**
   * A key of one pair for one attempt under {@code label}, from their X25519 shared secret: HKDF-SHA256 over the
   * label, round, attempt, nonce and both node ids in the order given (the caller decides whether order matters).
   */
  static byte[] pairKey(String label, byte[] sharedSecret, long round, int attempt, byte[] nonce, String first,
                        String second, int length) {
    Objects.requireNonNull(sharedSecret, "sharedSecret");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(first, "first node id");
    Objects.requireNonNull(second, "second node id");
    if (sharedSecret.length != EphemeralKeyPair.KEY_BYTES) {
      throw new IllegalArgumentException(
          "shared secret must be " + EphemeralKeyPair.KEY_BYTES + " bytes, got " + sharedSecret.length);
    }
    if (first.equals(second)) {
      throw new IllegalArgumentException("a pair needs two different node ids, got '" + first + "' twice");
    }
    byte[] info = new CanonicalBytes().putString(label).putLong(round).putInt(attempt).putBytes(nonce)
        .putString(first).putString(second).toByteArray();
    return hkdfSha256(sharedSecret, null, info, length);
  }

  /** HKDF-SHA256 extract-and-expand; a null salt means the RFC's default of HashLen zero bytes. */
  static byte[] hkdfSha256(byte[] inputKeyMaterial, byte[] salt, byte[] info, int length) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(SHA256Digest.newInstance());
    hkdf.init(new HKDFParameters(inputKeyMaterial, salt, info));
    byte[] out = new byte[length];
    hkdf.generateBytes(out, 0, length);
    return out;
  }
}
