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
    Objects.requireNonNull(sharedSecret, "sharedSecret");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(idA, "idA");
    Objects.requireNonNull(idB, "idB");
    if (sharedSecret.length != EphemeralKeyPair.KEY_BYTES) {
      throw new IllegalArgumentException(
          "shared secret must be " + EphemeralKeyPair.KEY_BYTES + " bytes, got " + sharedSecret.length);
    }
    if (idA.equals(idB)) {
      throw new IllegalArgumentException("a pair needs two different node ids, got '" + idA + "' twice");
    }
    boolean ordered = idA.compareTo(idB) < 0;
    byte[] info = new CanonicalBytes()
        .putString(LABEL)
        .putLong(round)
        .putInt(attempt)
        .putBytes(nonce)
        .putString(ordered ? idA : idB)
        .putString(ordered ? idB : idA)
        .toByteArray();
    return hkdfSha256(sharedSecret, null, info, SEED_BYTES);
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
