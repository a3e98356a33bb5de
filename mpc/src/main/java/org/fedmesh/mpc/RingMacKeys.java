package org.fedmesh.mpc;

import java.util.Objects;

/**
 * Derives the key that authenticates ring pieces sent from one member to another in one attempt, with HKDF-SHA256
 * (RFC 5869) from the pair's X25519 shared secret: the same secret the pair's mask seed comes from, but under its
 * own label, so a MAC key never equals a mask seed and revealing one reveals nothing of the other.
 *
 * <p>Unlike {@link PairSeeds}, the ids go in the order sender, receiver: each direction of a pair has its own key,
 * so a piece cannot be reflected back to its sender as if the receiver had sent it.
 */
public final class RingMacKeys {

  public static final int KEY_BYTES = 32;
  static final String LABEL = "fedmesh-ring-mac-v1";

  private RingMacKeys() {
  }

  public static byte[] derive(byte[] sharedSecret, long round, int attempt, byte[] nonce, String senderId,
                              String receiverId) {
    Objects.requireNonNull(sharedSecret, "sharedSecret");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(senderId, "senderId");
    Objects.requireNonNull(receiverId, "receiverId");
    if (sharedSecret.length != EphemeralKeyPair.KEY_BYTES) {
      throw new IllegalArgumentException(
          "shared secret must be " + EphemeralKeyPair.KEY_BYTES + " bytes, got " + sharedSecret.length);
    }
    if (senderId.equals(receiverId)) {
      throw new IllegalArgumentException("a link needs two different node ids, got '" + senderId + "' twice");
    }
    byte[] info = new CanonicalBytes()
        .putString(LABEL)
        .putLong(round)
        .putInt(attempt)
        .putBytes(nonce)
        .putString(senderId)
        .putString(receiverId)
        .toByteArray();
    return PairSeeds.hkdfSha256(sharedSecret, null, info, KEY_BYTES);
  }
}
