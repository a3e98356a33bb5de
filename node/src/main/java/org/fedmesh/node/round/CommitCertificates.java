package org.fedmesh.node.round;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.mpc.CommitVerificationException;
import org.fedmesh.mpc.RoundResult;
import org.fedmesh.mpc.SignedAttestation;
import org.fedmesh.mpc.SumHeld;
import org.fedmesh.mpc.SignedRoundResult;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.Attestation;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.ResultSignature;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/**
 * The coordinator's side of commit certificates: checking each participant's signed result as it arrives, and
 * putting the ring's signatures together. The coordinator cannot make a certificate members would accept without
 * them; it checks early only so that a broken signature abandons the attempt naming its member, instead of every
 * member refusing the commit. Members check everything again, against the CA.
 */
final class CommitCertificates {
  private CommitCertificates() {}

  /** What every participant of {@code start} signs when its model hashes to {@code newHash}. */
  static RoundResult statement(StartRound start, String newHash) {
    AttemptId id = start.attempt();
    return new RoundResult(id.round(), id.attempt(), id.nonce(), start.ring().stream().map(RingMember::nodeId)
        .toList(), start.baseModelHash(), newHash);
  }

  /** Why {@code nodeId}'s signed result does not certify {@code newHash} for {@code start}, if it does not. */
  static Optional<String> problem(ResultSignature signature, String nodeId, StartRound start, String newHash) {
    if (signature == null) {
      return Optional.of(nodeId + " did not sign its result");
    }
    try {
      SignedRoundResult signed = SignedRoundResult.decode(signature.encoded());
      if (!signed.nodeId().equals(nodeId)) {
        return Optional.of(nodeId + " sent a result signed as " + signed.nodeId());
      }
      if (!signed.result().equals(statement(start, newHash))) {
        return Optional.of(nodeId + " signed " + signed.result() + ", not this attempt's result");
      }
      signed.checkSignature();
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(nodeId + " sent a malformed signed result: " + e.getMessage());
    } catch (CommitVerificationException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** The certificate of the signatures given, in their order; each must have passed {@link #problem}. */
  static CommitProof assemble(List<ResultSignature> signatures) {
    return new CommitProof(CommitCertificate.of(signatures.stream()
        .map(s -> SignedRoundResult.decode(s.encoded())).toList()).encode());
  }

  /**
   * The certificate of a result members hold as pending, all their signatures over the same result hashing to
   * {@code hash}: what a coordinator that took over can commit. Either the signatures cover the attempt's whole
   * ring, or the signers are a majority of {@code consortiumMembers} and every ring member that did not sign has a
   * valid signed attestation among those the holders hand in (it was lost after every participant attested, so the
   * sum may be known: completing the attempt is what keeps it from being retried). Empty otherwise (a ring member
   * lost before it attested: the round is then started again).
   */
  static Optional<CommitProof> ofHolders(Collection<ResultSignature> signatures, Collection<Attestation> handedIn,
                                         String hash, int consortiumMembers) {
    try {
      List<SignedRoundResult> signed = signatures.stream().filter(Objects::nonNull)
          .map(s -> SignedRoundResult.decode(s.encoded())).toList();
      if (signed.isEmpty() || signed.size() != signatures.size()) {
        return Optional.empty();
      }
      CommitCertificate certificate = CommitCertificate.of(signed);
      Set<String> signers = new HashSet<>(certificate.signers());
      Set<String> ring = Set.copyOf(certificate.result().ring());
      if (signers.size() != signed.size() || !ring.containsAll(signers)
          || !certificate.result().newHash().equals(hash)) {
        return Optional.empty();
      }
      if (signers.equals(ring)) {
        return Optional.of(new CommitProof(certificate.encode()));
      }
      if (2L * signers.size() <= consortiumMembers) {
        return Optional.empty();
      }
      Attested unsigned = attestationsOf(certificate.result().ring().stream().filter(m -> !signers.contains(m))
          .toList(), SumHeld.of(certificate.result()), handedIn);
      return unsigned.missing() != null ? Optional.empty()
          : Optional.of(new CommitProof(CommitCertificate.of(signed, unsigned.attestations()).encode()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The certificate of a result signed by the survivors of {@code start} (their signatures in ring order, each past
   * {@link #problem}), completed with a signed attestation of each member of {@code lost}, taken from those the
   * survivors handed in; or why there is none (a lost member's attestation is missing or does not check).
   */
  static Result completedWithout(List<ResultSignature> survivors, Collection<Attestation> handedIn,
                                 Set<String> lost, StartRound start, String newHash) {
    Attested lostOnes = attestationsOf(start.ring().stream().map(RingMember::nodeId).filter(lost::contains).toList(),
        SumHeld.of(statement(start, newHash)), handedIn);
    if (lostOnes.missing() != null) {
      return new Result(null, "no survivor handed in a valid attestation of " + lostOnes.missing()
          + " (lost before it attested?)");
    }
    CommitCertificate certificate = CommitCertificate.of(survivors.stream()
        .map(s -> SignedRoundResult.decode(s.encoded())).toList(), lostOnes.attestations());
    return new Result(new CommitProof(certificate.encode()), null);
  }

  /** A certificate, or why there is none. */
  record Result(CommitProof certificate, String problem) {}

  /** One attestation per member asked for, in that order; or, when one has none, that member. */
  private record Attested(List<SignedAttestation> attestations, String missing) {}

  /**
   * For each of {@code members}, its attestation of {@code attempt} among those handed in (the first that decodes,
   * names it and whose signature checks); the handed-in attestations are decoded once.
   */
  private static Attested attestationsOf(List<String> members, SumHeld attempt, Collection<Attestation> handedIn) {
    List<SignedAttestation> ofAttempt = handedIn.stream().map(CommitCertificates::decodeOrNull)
        .filter(a -> a != null && a.statement().equals(attempt)).toList();
    List<SignedAttestation> found = new ArrayList<>();
    for (String member : members) {
      Optional<SignedAttestation> one = ofAttempt.stream().filter(a -> a.nodeId().equals(member) && checks(a))
          .findFirst();
      if (one.isEmpty()) {
        return new Attested(List.of(), member);
      }
      found.add(one.get());
    }
    return new Attested(found, null);
  }

  private static SignedAttestation decodeOrNull(Attestation a) {
    try {
      return SignedAttestation.decode(a.encoded());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean checks(SignedAttestation a) {
    try {
      a.checkSignature();
      return true;
    } catch (CommitVerificationException e) {
      return false;
    }
  }
}
