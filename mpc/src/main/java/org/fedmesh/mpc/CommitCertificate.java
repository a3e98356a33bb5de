package org.fedmesh.mpc;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The proof that a round's result was committed: the signed {@link RoundResult} of every participant of the
 * attempt, all over the same result. A member adopts a model on such a certificate only, never on a coordinator's
 * or a peer's word: forging one takes the identity keys of a majority of the consortium's certified members.
 * The result is held once; each signature is checked against it, so a signature over anything else fails.
 */
public record CommitCertificate(RoundResult result, List<SignedRoundResult> signatures) {

  private static final String FORMAT = "fedmesh-commit-certificate-v1";

  public CommitCertificate {
    Objects.requireNonNull(result, "result");
    signatures = List.copyOf(signatures);
  }

  /** The certificate of the signed results given, which must all be over the same result. */
  public static CommitCertificate of(List<SignedRoundResult> signatures) {
    if (signatures.isEmpty()) {
      throw new IllegalArgumentException("a commit certificate needs at least one signature");
    }
    RoundResult result = signatures.get(0).result();
    for (SignedRoundResult s : signatures) {
      if (!s.result().equals(result)) {
        throw new IllegalArgumentException(s.nodeId() + " signed " + s.result() + ", not " + result);
      }
    }
    return new CommitCertificate(result, signatures);
  }

  public List<String> signers() {
    return signatures.stream().map(SignedRoundResult::nodeId).toList();
  }

  /**
   * Accepts the certificate only if every signature verifies against {@code caCertificate} at {@code now} and names
   * a distinct member by its certificate's CN, the signers are exactly the attempt's ring, and they are a majority
   * of {@code consortiumMembers}. Whether the result is the one a member expects (round, hashes) is for the caller.
   */
  public void verify(X509Certificate caCertificate, Instant now, int consortiumMembers)
      throws CommitVerificationException {
    if (signatures.isEmpty()) {
      throw new CommitVerificationException(null, "it carries no signature");
    }
    Set<String> signers = new HashSet<>();
    for (SignedRoundResult s : signatures) {
      if (!s.result().equals(result)) {
        throw new CommitVerificationException(s.nodeId(), "it signed " + s.result() + ", not " + result);
      }
      if (!signers.add(s.nodeId())) {
        throw new CommitVerificationException(s.nodeId(), "it signs twice");
      }
    }
    Set<String> ring = Set.copyOf(result.ring());
    if (ring.size() != result.ring().size() || !ring.equals(signers)) {
      throw new CommitVerificationException(null, "the signers " + signers().stream().sorted().toList()
          + " are not exactly the attempt's ring " + result.ring());
    }
    if (2L * signers.size() <= consortiumMembers) {
      throw new CommitVerificationException(null, "only " + signers.size() + " of the consortium's "
          + consortiumMembers + " members signed it; a commit needs a majority");
    }
    for (SignedRoundResult s : signatures) {
      s.verify(caCertificate, now);
    }
  }

  /** The canonical encoding: the result once, then each signer, its signature and its certificate. */
  public byte[] encode() {
    CanonicalBytes out = result.put(new CanonicalBytes().putString(FORMAT)).putInt(signatures.size());
    signatures.forEach(s -> s.put(out));
    return out.toByteArray();
  }

  /** @throws IllegalArgumentException when {@code bytes} are not an encoded commit certificate */
  public static CommitCertificate decode(byte[] bytes) {
    CanonicalReader in = new CanonicalReader(bytes);
    if (!FORMAT.equals(in.getString())) {
      throw new IllegalArgumentException("not a " + FORMAT);
    }
    RoundResult result = RoundResult.read(in);
    int count = in.getCount(12);
    SignedRoundResult[] signatures = new SignedRoundResult[count];
    for (int i = 0; i < count; i++) {
      signatures[i] = SignedRoundResult.read(in, result);
    }
    in.end();
    return new CommitCertificate(result, List.of(signatures));
  }

  @Override
  public String toString() {
    return "CommitCertificate[" + result + ", signed by " + signers() + "]";
  }
}
