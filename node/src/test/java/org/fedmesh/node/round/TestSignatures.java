package org.fedmesh.node.round;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.mpc.RoundResult;
import org.fedmesh.mpc.SignedRoundResult;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.ResultSignature;

/**
 * Real signed round results and commit certificates for tests that play members, from one CA per CA name; made on
 * first use and shared by the module's tests (an RSA-3072 key takes about a second).
 */
final class TestSignatures {
  private static final Map<String, ConsortiumCa> CAS = new HashMap<>();
  private static final Map<String, MemberIdentity> IDENTITIES = new HashMap<>();

  private TestSignatures() {}

  static synchronized ConsortiumCa ca(String name) {
    return CAS.computeIfAbsent(name, n -> ConsortiumCa.create(n, Duration.ofDays(7)));
  }

  /** {@code nodeId}'s identity, certified by the CA named {@code caName}. */
  static synchronized MemberIdentity identity(String caName, String nodeId) {
    return IDENTITIES.computeIfAbsent(caName + "/" + nodeId,
        k -> ca(caName).issue(nodeId, List.of("127.0.0.1"), Duration.ofDays(1)));
  }

  static RoundResult result(AttemptId attempt, List<String> ring, String before, String after) {
    return new RoundResult(attempt.round(), attempt.attempt(), attempt.nonce(), ring, before, after);
  }

  static ResultSignature sign(MemberIdentity signer, RoundResult result) {
    return new ResultSignature(SignedRoundResult.sign(signer, result).encode());
  }

  /** The certificate of {@code result} signed by each of {@code signers}. */
  static CommitProof certificate(RoundResult result, List<MemberIdentity> signers) {
    return new CommitProof(new CommitCertificate(result, signers.stream()
        .map(s -> SignedRoundResult.sign(s, result)).toList()).encode());
  }

  /** The certificate of {@code result} signed by its whole ring, certified by the CA named {@code caName}. */
  static CommitProof certificate(String caName, RoundResult result) {
    return certificate(result, result.ring().stream().map(id -> identity(caName, id)).toList());
  }
}
