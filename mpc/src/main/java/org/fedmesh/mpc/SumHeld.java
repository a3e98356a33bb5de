package org.fedmesh.mpc;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a participant of a secure attempt attests, and signs, once it holds the attempt's whole masked sum and a
 * share of every participant's self-mask seed: the attempt (round, attempt number, nonce), its ring in order and the
 * model it started from. Every participant's attestation is what lets a member reveal its seed; a lost member's is
 * what lets the others commit the sum without it ({@link CommitCertificate}).
 */
public record SumHeld(long round, int attempt, byte[] nonce, List<String> ring, String previousHash) {

  static final String LABEL = "fedmesh-sum-held-v1";

  public SumHeld {
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(previousHash, "previousHash");
    nonce = nonce.clone();
    ring = List.copyOf(ring);
  }

  /** The attempt a result is of, as its participants attested it. */
  public static SumHeld of(RoundResult result) {
    return new SumHeld(result.round(), result.attempt(), result.nonce(), result.ring(), result.previousHash());
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  /** The canonical bytes {@code nodeId} signs: a label of its own (so no result signature fits), the node, fields. */
  byte[] signedPayload(String nodeId) {
    return put(new CanonicalBytes().putString(LABEL).putString(nodeId)).toByteArray();
  }

  CanonicalBytes put(CanonicalBytes out) {
    out.putLong(round).putInt(attempt).putBytes(nonce).putInt(ring.size());
    ring.forEach(out::putString);
    return out.putString(previousHash);
  }

  static SumHeld read(CanonicalReader in) {
    long round = in.getLong();
    int attempt = in.getInt();
    byte[] nonce = in.getBytes();
    int members = in.getCount(4);
    String[] ring = new String[members];
    for (int i = 0; i < members; i++) {
      ring[i] = in.getString();
    }
    return new SumHeld(round, attempt, nonce, List.of(ring), in.getString());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SumHeld that && round == that.round && attempt == that.attempt
        && Arrays.equals(nonce, that.nonce) && ring.equals(that.ring) && previousHash.equals(that.previousHash);
  }

  @Override
  public int hashCode() {
    return 31 * Objects.hash(round, attempt, ring, previousHash) + Arrays.hashCode(nonce);
  }

  @Override
  public String toString() {
    return "the masked sum of round " + round + " attempt " + attempt + " by " + ring;
  }
}
