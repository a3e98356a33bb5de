package org.fedmesh.node.round;

import java.time.Instant;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.mpc.CommitVerificationException;
import org.fedmesh.mpc.RoundResult;
import org.fedmesh.mpc.SignedRoundResult;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.ResultSignature;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/**
 * A participant's side of commit certificates: it signs its own results, and it decides whether a certificate lets
 * it adopt a model. Adoption rests on signatures nobody outside a majority of certified members can make: a
 * coordinator, a peer or an outsider can withhold a model, never hand over one the consortium did not commit.
 */
final class CommitVerifier {
  private final MemberIdentity identity;
  private final IntSupplier consortiumMembers;

  /** {@code consortiumMembers}: the consortium's size as this member sees it now (see {@link ConsortiumSize}). */
  CommitVerifier(MemberIdentity identity, IntSupplier consortiumMembers) {
    this.identity = identity;
    this.consortiumMembers = consortiumMembers;
  }

  /** This member's signature of its result of {@code start}, a model hashing to {@code newHash}. */
  ResultSignature sign(StartRound start, String newHash) {
    return new ResultSignature(SignedRoundResult.sign(identity, CommitCertificates.statement(start, newHash))
        .encode());
  }

  /**
   * Why this member must not commit its pending result on {@code proof}, if it must not: the certificate must be
   * valid (see {@link #valid}) and certify exactly what this member signed itself (the same attempt and ring, from
   * the model it holds, {@code heldHash}, to its pending result).
   */
  Optional<String> commitRefusal(CommitProof proof, ResultSignature own, String heldHash) {
    try {
      CommitCertificate certificate = valid(proof);
      RoundResult mine = SignedRoundResult.decode(own.encoded()).result();
      RoundResult certified = certificate.result();
      if (!certified.previousHash().equals(heldHash)) {
        return Optional.of("it does not chain: it starts from " + RoundRules.abbreviate(certified.previousHash())
            + " but this member holds " + RoundRules.abbreviate(heldHash));
      }
      if (!certified.newHash().equals(mine.newHash())) {
        return Optional.of("it certifies the model " + RoundRules.abbreviate(certified.newHash())
            + " but this member's pending result is " + RoundRules.abbreviate(mine.newHash()));
      }
      if (!certified.equals(mine)) {
        return Optional.of("it certifies " + certified + ", not the result this member signed: " + mine);
      }
      return Optional.empty();
    } catch (CommitVerificationException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * Why this member must not fetch and adopt the model of {@code round} hashing to {@code hash} on {@code proof},
   * if it must not. It cannot chain from its own older model, so a valid certificate of exactly that round and hash
   * is the whole guarantee: a majority of certified members signed it.
   */
  Optional<String> catchUpRefusal(CommitProof proof, long round, String hash) {
    try {
      RoundResult certified = valid(proof).result();
      if (certified.round() != round || !certified.newHash().equals(hash)) {
        return Optional.of("its certificate is for round " + certified.round() + " ("
            + RoundRules.abbreviate(certified.newHash()) + "), not round " + round + " ("
            + RoundRules.abbreviate(hash) + ")");
      }
      return Optional.empty();
    } catch (CommitVerificationException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** The certificate, once every signature verified against the CA and the signers are a majority. */
  private CommitCertificate valid(CommitProof proof) throws CommitVerificationException {
    if (proof == null) {
      throw new CommitVerificationException(null, "it carries no commit certificate");
    }
    CommitCertificate certificate;
    try {
      certificate = CommitCertificate.decode(proof.encoded());
    } catch (IllegalArgumentException e) {
      throw new CommitVerificationException(null, "its commit certificate is malformed: " + e.getMessage(), e);
    }
    certificate.verify(identity.caCertificate(), Instant.now(), consortiumMembers.getAsInt());
    return certificate;
  }
}
