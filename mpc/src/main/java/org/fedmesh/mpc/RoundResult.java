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

  /** The attempt's fields as its participants attest them ({@link SumHeld}), then the new model's hash. */
  CanonicalBytes put(CanonicalBytes out) {
    return SumHeld.of(this).put(out).putString(newHash);
  }

  static RoundResult read(CanonicalReader in) {
    SumHeld attempt = SumHeld.read(in);
    return new RoundResult(attempt.round(), attempt.attempt(), attempt.nonce(), attempt.ring(),
        attempt.previousHash(), in.getString());
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
