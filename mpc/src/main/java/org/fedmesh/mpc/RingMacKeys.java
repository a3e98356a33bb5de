package org.fedmesh.mpc;

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
    return PairSeeds.pairKey(LABEL, sharedSecret, round, attempt, nonce, senderId, receiverId, KEY_BYTES);
  }
}
