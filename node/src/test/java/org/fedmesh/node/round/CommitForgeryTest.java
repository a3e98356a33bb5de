package org.fedmesh.node.round;

import static org.fedmesh.node.round.ParticipantProtocolTest.PARAMS;
import static org.fedmesh.node.round.ParticipantProtocolTest.baseHash;
import static org.fedmesh.node.round.ParticipantProtocolTest.certificateOf;
import static org.fedmesh.node.round.ParticipantProtocolTest.majorityCertificate;
import static org.fedmesh.node.round.ParticipantProtocolTest.runSecureRound;
import static org.fedmesh.node.round.ParticipantProtocolTest.status;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.mpc.RoundResult;
import org.fedmesh.mpc.SignedRoundResult;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.RoundProtocol.Aggregated;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.RoundCommitted;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Adoption rests on signatures: real members over Artery, with a test probe playing a dishonest coordinator or
 * peer that forges {@code CatchUp} and {@code CommitRound}. Every forgery is refused with a warning that says why
 * (one per member it was sent to: the members share this JVM's log), the member keeps its model and acknowledges
 * nothing; the honest certificate is then accepted, so the refusals were about the certificate and nothing else.
 */
class CommitForgeryTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration QUIET = Duration.ofMillis(500);
  private static List<LocalUpdates> three;

  @BeforeAll
  static void updates() {
    three = FixedUpdates.gaussianMembers(3, PARAMS, 11);
  }

  @Test
  void forgedCatchUp_farAheadWithTheAttackersModel_isRefusedAndNothingIsFetched() {
    try (ParticipantHarness h = new ParticipantHarness(TestSignatures.ca("participants"), three, true)) {
      TestProbe<ParticipantCommand> attacker = h.kits.get(0).createTestProbe();
      float[] poisoned = new float[PARAMS];
      Arrays.fill(poisoned, 6.66f);
      String attackersHash = ModelState.of(1000, poisoned, new float[0]).hash();
      RoundResult claim = TestSignatures.result(ParticipantHarness.attempt(1000, 1),
          List.of("site-a", "site-b", "site-c"), "00".repeat(32), attackersHash);
      Map<String, CommitProof> forgeries = new LinkedHashMap<>();
      Map<String, String> reasons = new LinkedHashMap<>();
      forgeries.put("none", null);
      reasons.put("none", "no commit certificate");
      forgeries.put("garbage", new CommitProof(new byte[] {1, 2, 3}));
      reasons.put("garbage", "malformed");
      forgeries.put("other CA", TestSignatures.certificate("rogue", claim));
      reasons.put("other CA", "not from this consortium's CA");
      forgeries.put("minority", TestSignatures.certificate("participants", TestSignatures.result(
          ParticipantHarness.attempt(1000, 1), List.of("site-c"), "00".repeat(32), attackersHash)));
      reasons.put("minority", "only 1 of the consortium's 3 members");
      forgeries.put("another round's", majorityCertificate(1, ModelState.of(1, new float[PARAMS], new float[0])
          .hash()));
      reasons.put("another round's", "its certificate is for round 1");

      for (Map.Entry<String, CommitProof> forgery : forgeries.entrySet()) {
        CatchUp forged = h.sealed(new CatchUp(1000, attackersHash, List.of(attacker.ref()), h.coordinator.ref(),
            forgery.getValue()));
        LoggingTestKit.warn("Refused to catch up to round 1000").withMessageContains(reasons.get(forgery.getKey()))
            .expect(h.kits.get(1).system(), () -> {
              h.tell(1, forged);
              return null;
            });
        attacker.expectNoMessage(QUIET); // the victim did not even ask the attacker for its model
        MemberStatus victim = status(h, 1);
        assertEquals(0, victim.committedRound(), forgery.getKey());
        assertEquals(baseHash(), victim.committedHash(), forgery.getKey());
      }
    }
  }

  @Test
  void commit_withMissingBadOrForeignSignatures_isRefusedUnacknowledged_thenTheHonestOneCommits() {
    try (ParticipantHarness h = new ParticipantHarness(TestSignatures.ca("participants"), three, true)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      Map<String, Aggregated> results = runSecureRound(h, id, h.ring());
      String hash = results.get("site-a").modelHash();
      CommitProof honest = certificateOf(h.ring(), results);
      CommitCertificate decoded = CommitCertificate.decode(honest.encoded());

      Map<String, CommitProof> forgeries = new LinkedHashMap<>();
      Map<String, String> reasons = new LinkedHashMap<>();
      forgeries.put("none", null);
      reasons.put("none", "no commit certificate");
      forgeries.put("missing", CommitCertificates.assemble(List.of(results.get("site-a").signature(),
          results.get("site-b").signature())));
      reasons.put("missing", "not exactly the attempt's ring");
      List<SignedRoundResult> flipped = new ArrayList<>(decoded.signatures());
      byte[] signature = flipped.get(1).signature();
      signature[20] ^= 1;
      flipped.set(1, new SignedRoundResult(decoded.result(), "site-b", signature, flipped.get(1).certificateDer()));
      forgeries.put("flipped byte", new CommitProof(new CommitCertificate(decoded.result(), flipped).encode()));
      reasons.put("flipped byte", "signature of node 'site-b' refused: bad signature");
      forgeries.put("other CA", TestSignatures.certificate("rogue", decoded.result()));
      reasons.put("other CA", "not from this consortium's CA");

      for (Map.Entry<String, CommitProof> forgery : forgeries.entrySet()) {
        LoggingTestKit.warn("Refused the commit of " + id).withMessageContains(reasons.get(forgery.getKey()))
            .withOccurrences(3).expect(h.kits.get(0).system(), () -> {
              CommitRound forged = h.sealed(new CommitRound(id, hash, forgery.getValue(), h.coordinator.ref()));
              h.ring().forEach(p -> p.participant().tell(forged));
              return null;
            });
        assertNothingAcknowledged(h, id, forgery.getKey());
      }
      CommitRound commit = h.sealed(new CommitRound(id, hash, honest, h.coordinator.ref()));
      h.ring().forEach(p -> p.participant().tell(commit));
      assertEquals(Set.of("site-a", "site-b", "site-c"), acknowledgements(h, 3));
    }
  }

  @Test
  void commit_signedByTheWholeRingButNoMajorityOfTheConsortium_isRefused() {
    // the members see seven members in the consortium: a ring of three cannot commit
    try (ParticipantHarness h = new ParticipantHarness(TestSignatures.ca("participants"), three, true,
        i -> Optional.empty(), 7)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      Map<String, Aggregated> results = runSecureRound(h, id, h.ring());
      CommitProof certificate = certificateOf(h.ring(), results);
      LoggingTestKit.warn("Refused the commit of " + id).withMessageContains("only 3 of the consortium's 7 members")
          .withOccurrences(3).expect(h.kits.get(0).system(), () -> {
            CommitRound commit = h.sealed(new CommitRound(id, results.get("site-a").modelHash(), certificate,
                h.coordinator.ref()));
            h.ring().forEach(p -> p.participant().tell(commit));
            return null;
          });
      assertNothingAcknowledged(h, id, "minority");
    }
  }

  @Test
  void commit_whoseChainDoesNotLinkToTheHeldModel_isRefused() {
    try (ParticipantHarness h = new ParticipantHarness(TestSignatures.ca("participants"), three, true)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      Map<String, Aggregated> results = runSecureRound(h, id, h.ring());
      String hash = results.get("site-a").modelHash();
      // Validly signed by certified members of the whole ring, but from a model these members never held.
      CommitProof unlinked = TestSignatures.certificate("participants", TestSignatures.result(id,
          List.of("site-a", "site-b", "site-c"), "ee".repeat(32), hash));
      LoggingTestKit.warn("Refused the commit of " + id).withMessageContains("it does not chain")
          .withOccurrences(3).expect(h.kits.get(0).system(), () -> {
            CommitRound commit = h.sealed(new CommitRound(id, hash, unlinked, h.coordinator.ref()));
            h.ring().forEach(p -> p.participant().tell(commit));
            return null;
          });
      assertNothingAcknowledged(h, id, "unlinked");
    }
  }

  private static void assertNothingAcknowledged(ParticipantHarness h, AttemptId id, String forgery) {
    h.coordinator.expectNoMessage(QUIET);
    for (int i = 0; i < 3; i++) {
      MemberStatus s = status(h, i);
      assertEquals(0, s.committedRound(), forgery + ": " + s.member().nodeId() + " kept its model");
      assertEquals(id, s.pendingAttempt(), forgery + ": " + s.member().nodeId() + " still holds the result");
    }
  }

  private static Set<String> acknowledgements(ParticipantHarness h, int count) {
    Set<String> acknowledged = new HashSet<>();
    while (acknowledged.size() < count) {
      CoordinatorCommand m = h.coordinator.receiveMessage(WAIT);
      if (m instanceof RoundCommitted c) {
        acknowledged.add(c.nodeId());
      }
    }
    return acknowledged;
  }
}
