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
 *
 * <p>A participant lost after it attested that it held the masked sum ({@link SignedAttestation}) cannot sign the
 * result, yet the others hold the sum and its self-mask seed is rebuilt from their shares: the certificate then
 * carries its attestation instead. Every ring member must have signed the result or attested, and the signers of
 * the result alone must be a majority. Without attestations the certificate keeps its first encoding (v1).
 */
public record CommitCertificate(RoundResult result, List<SignedRoundResult> signatures,
                                List<SignedAttestation> attestations) {

  private static final String FORMAT = "fedmesh-commit-certificate-v1";
  private static final String FORMAT_WITH_ATTESTATIONS = "fedmesh-commit-certificate-v2";

  public CommitCertificate {
    Objects.requireNonNull(result, "result");
    signatures = List.copyOf(signatures);
    attestations = List.copyOf(attestations);
  }

  /** A certificate signed by the whole ring. */
  public CommitCertificate(RoundResult result, List<SignedRoundResult> signatures) {
    this(result, signatures, List.of());
  }

  /** The certificate of the signed results given, which must all be over the same result. */
  public static CommitCertificate of(List<SignedRoundResult> signatures) {
    return of(signatures, List.of());
  }

  /**
   * The certificate of the signed results given, which must all be over the same result, completed by the
   * attestations of ring members that did not sign it, which must be of that result's attempt.
   */
  public static CommitCertificate of(List<SignedRoundResult> signatures, List<SignedAttestation> attestations) {
    if (signatures.isEmpty()) {
      throw new IllegalArgumentException("a commit certificate needs at least one signature");
    }
    RoundResult result = signatures.get(0).result();
    for (SignedRoundResult s : signatures) {
      if (!s.result().equals(result)) {
        throw new IllegalArgumentException(s.nodeId() + " signed " + s.result() + ", not " + result);
      }
    }
    for (SignedAttestation a : attestations) {
      if (!a.statement().equals(SumHeld.of(result))) {
        throw new IllegalArgumentException(a.nodeId() + " attested " + a.statement() + ", not this attempt's");
      }
    }
    return new CommitCertificate(result, signatures, attestations);
  }

  /** The ring members that attested instead of signing the result: lost after the masked sum formed. */
  public List<String> attesters() {
    return attestations.stream().map(SignedAttestation::nodeId).toList();
  }

  public List<String> signers() {
    return signatures.stream().map(SignedRoundResult::nodeId).toList();
  }

  /**
   * Accepts the certificate only if every signature and attestation verifies against {@code caCertificate} at
   * {@code now} and names a distinct member by its certificate's CN, each attestation is of this result's attempt,
   * the signers and attesters together are exactly the attempt's ring, and the signers alone are a majority of
   * {@code consortiumMembers}. Whether the result is the one a member expects (round, hashes) is for the caller.
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
    Set<String> covered = new HashSet<>(signers);
    for (SignedAttestation a : attestations) {
      if (!a.statement().equals(SumHeld.of(result))) {
        throw new CommitVerificationException(a.nodeId(), "it attested " + a.statement() + ", not this attempt's");
      }
      if (!covered.add(a.nodeId())) {
        throw new CommitVerificationException(a.nodeId(), "it attests as well as signs, or attests twice");
      }
    }
    Set<String> ring = Set.copyOf(result.ring());
    if (ring.size() != result.ring().size() || !ring.equals(covered)) {
      throw new CommitVerificationException(null, "the signers " + signers().stream().sorted().toList()
          + (attestations.isEmpty() ? "" : " and attesters " + attesters().stream().sorted().toList())
          + " are not exactly the attempt's ring " + result.ring());
    }
    if (2L * signers.size() <= consortiumMembers) {
      throw new CommitVerificationException(null, "only " + signers.size() + " of the consortium's "
          + consortiumMembers + " members signed it; a commit needs a majority");
    }
    for (SignedRoundResult s : signatures) {
      s.verify(caCertificate, now);
    }
    for (SignedAttestation a : attestations) {
      a.verify(caCertificate, now);
    }
  }

  /**
   * The canonical encoding: the result once, then each signer, its signature and its certificate; with
   * attestations (v2), then each attester, its signature and its certificate.
   */
  public byte[] encode() {
    CanonicalBytes out = result.put(new CanonicalBytes()
        .putString(attestations.isEmpty() ? FORMAT : FORMAT_WITH_ATTESTATIONS)).putInt(signatures.size());
    signatures.forEach(s -> s.put(out));
    if (!attestations.isEmpty()) {
      out.putInt(attestations.size());
      attestations.forEach(a -> a.put(out));
    }
    return out.toByteArray();
  }

  /** @throws IllegalArgumentException when {@code bytes} are not an encoded commit certificate */
  public static CommitCertificate decode(byte[] bytes) {
    CanonicalReader in = new CanonicalReader(bytes);
    String format = in.getString();
    if (!FORMAT.equals(format) && !FORMAT_WITH_ATTESTATIONS.equals(format)) {
      throw new IllegalArgumentException("not a " + FORMAT + " or " + FORMAT_WITH_ATTESTATIONS);
    }
    RoundResult result = RoundResult.read(in);
    int count = in.getCount(12);
    SignedRoundResult[] signatures = new SignedRoundResult[count];
    for (int i = 0; i < count; i++) {
      signatures[i] = SignedRoundResult.read(in, result);
    }
    SignedAttestation[] attestations = new SignedAttestation[0];
    if (FORMAT_WITH_ATTESTATIONS.equals(format)) {
      attestations = new SignedAttestation[in.getCount(12)];
      SumHeld statement = SumHeld.of(result);
      for (int i = 0; i < attestations.length; i++) {
        attestations[i] = SignedAttestation.read(in, statement);
      }
    }
    in.end();
    return new CommitCertificate(result, List.of(signatures), List.of(attestations));
  }

  @Override
  public String toString() {
    return "CommitCertificate[" + result + ", signed by " + signers()
        + (attestations.isEmpty() ? "" : ", attested by " + attesters()) + "]";
  }
}
