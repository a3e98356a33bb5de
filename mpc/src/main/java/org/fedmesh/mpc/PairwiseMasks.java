package org.fedmesh.mpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Additive secret sharing of zero: node i adds PRG(seed_ij) for every peer j with i < j and subtracts it for
 * i > j (String order of node ids), so the masks of all participants sum to exactly zero in Z_2^64 while any
 * partial sum is uniformly random. The protocol needs at least 3 participants (with 2, the sum reveals the
 * other's update); enforcing that is the coordinator's job, this class accepts any number of peers >= 1.
 */
public final class PairwiseMasks {

  private PairwiseMasks() {
  }

  /** Adds this node's combined mask for the given peers to {@code vector}, in place. */
  public static void apply(long[] vector, String myId, EphemeralKeyPair mine, Map<String, byte[]> peerPublicKeys,
      long round, int attempt, byte[] nonce) {
    Objects.requireNonNull(vector, "vector");
    for (PairMask mask : derive(myId, mine, peerPublicKeys, round, attempt, nonce)) {
      mask.applyTo(vector);
    }
  }

  /**
   * The per-peer masks without applying them, sorted by peer id, for callers that mask a vector in chunks or
   * on several threads ({@link PairMask#applyTo(long[], int, int, long)}).
   */
  public static List<PairMask> derive(String myId, EphemeralKeyPair mine, Map<String, byte[]> peerPublicKeys,
      long round, int attempt, byte[] nonce) {
    Objects.requireNonNull(myId, "myId");
    Objects.requireNonNull(mine, "mine");
    Objects.requireNonNull(peerPublicKeys, "peerPublicKeys");
    Objects.requireNonNull(nonce, "nonce");
    if (peerPublicKeys.containsKey(myId)) {
      throw new IllegalArgumentException("peer public keys include this node's own id '" + myId + "'");
    }
    if (peerPublicKeys.isEmpty()) {
      throw new IllegalArgumentException("masking needs at least one peer, got none");
    }
    List<PairMask> masks = new ArrayList<>(peerPublicKeys.size());
    for (Map.Entry<String, byte[]> peer : new TreeMap<>(peerPublicKeys).entrySet()) {
      String peerId = Objects.requireNonNull(peer.getKey(), "peer id");
      byte[] sharedSecret;
      try {
        sharedSecret = mine.agree(Objects.requireNonNull(peer.getValue(), "public key of " + peerId));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("public key of peer '" + peerId + "': " + e.getMessage(), e);
      }
      masks.add(new PairMask(peerId, PairSeeds.derive(sharedSecret, round, attempt, nonce, myId, peerId),
          myId.compareTo(peerId) > 0));
    }
    return masks;
  }
}
