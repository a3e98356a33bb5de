package org.fedmesh.mpc;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What each participant of an attempt states about its result, and signs: the attempt (round, attempt number and
 * its nonce, so a signature cannot be replayed into another attempt), the attempt's ring in order (so anyone can
 * check from the certificate alone that every contributor to the sum endorsed it), the hash of the model the round
 * started from and the hash of the model it produced. The two hashes make consecutive commits a chain.
 */
public record RoundResult(long round, int attempt, byte[] nonce, List<String> ring, String previousHash,
    String newHash) {

  public RoundResult {
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(previousHash, "previousHash");
    Objects.requireNonNull(newHash, "newHash");
    nonce = nonce.clone();
    ring = List.copyOf(ring);
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  /** The canonical bytes {@code nodeId} signs: a label, the node, then every field, fixed-width or length-prefixed. */
  byte[] signedPayload(String nodeId) {
    return put(new CanonicalBytes().putString(SignedRoundResult.LABEL).putString(nodeId)).toByteArray();
  }

  CanonicalBytes put(CanonicalBytes out) {
    out.putLong(round).putInt(attempt).putBytes(nonce).putInt(ring.size());
    ring.forEach(out::putString);
    return out.putString(previousHash).putString(newHash);
  }

  static RoundResult read(CanonicalReader in) {
    long round = in.getLong();
    int attempt = in.getInt();
    byte[] nonce = in.getBytes();
    int members = in.getCount(4);
    String[] ring = new String[members];
    for (int i = 0; i < members; i++) {
      ring[i] = in.getString();
    }
    return new RoundResult(round, attempt, nonce, List.of(ring), in.getString(), in.getString());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RoundResult that && round == that.round && attempt == that.attempt
        && Arrays.equals(nonce, that.nonce) && ring.equals(that.ring) && previousHash.equals(that.previousHash)
        && newHash.equals(that.newHash);
  }

  @Override
  public int hashCode() {
    return 31 * Objects.hash(round, attempt, ring, previousHash, newHash) + Arrays.hashCode(nonce);
  }

  @Override
  public String toString() {
    return "round " + round + " attempt " + attempt + " (nonce " + HexFormat.of().formatHex(nonce, 0,
        Math.min(4, nonce.length)) + "…) by " + ring + ": " + abbreviate(previousHash) + " -> "
        + abbreviate(newHash);
  }

  static String abbreviate(String hash) {
    return hash.substring(0, Math.min(12, hash.length()));
  }
}
