package org.fedmesh.node.round;

import static org.fedmesh.node.round.ParticipantProtocolTest.PARAMS;
import static org.fedmesh.node.round.ParticipantProtocolTest.assertNoChunks;
import static org.fedmesh.node.round.ParticipantProtocolTest.baseHash;
import static org.fedmesh.node.round.ParticipantProtocolTest.certificateOf;
import static org.fedmesh.node.round.ParticipantProtocolTest.collectResults;
import static org.fedmesh.node.round.ParticipantProtocolTest.majorityCertificate;
import static org.fedmesh.node.round.ParticipantProtocolTest.runSecureRound;
import static org.fedmesh.node.round.ParticipantProtocolTest.startAndCollectKeys;
import static org.fedmesh.node.round.ParticipantProtocolTest.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.fedmesh.mpc.ControlSeal;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.RoundProtocol.AbortAttempt;
import org.fedmesh.protocols.RoundProtocol.RecoverAttempt;
import org.fedmesh.protocols.RoundProtocol.Aggregated;
import org.fedmesh.protocols.RoundProtocol.AttemptFailed;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.fedmesh.protocols.RoundProtocol.ControlSignature;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.KeyAdvert;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.Ready;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.RoundCommitted;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.Sealable;
import org.fedmesh.protocols.RoundProtocol.StartRound;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Coordinator messages are acted on only when sealed by the coordinator's host in the member's view (site-a in the
 * harness). Real members over Artery, each in its own actor system with its own certified identity; site-m, a
 * certified member that is not the host, plays coordinator from an actor system of its own, and other forgers alter
 * or replay seals. Every refusal
 * is logged naming the signer, and the victim keeps its state: the honest message afterwards still works, so the
 * refusal was about the seal and nothing else.
 */
class ImpersonatedCoordinatorTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration QUIET = Duration.ofMillis(500);
  private static final int NOT_THE_HOST = 1; // site-b
  private static List<LocalUpdates> three;

  @BeforeAll
  static void updates() {
    three = FixedUpdates.gaussianMembers(3, PARAMS, 13);
  }

  private static ParticipantHarness harness() {
    return new ParticipantHarness(TestSignatures.ca("participants"), three, true);
  }

  private static StartRound startRound(ParticipantHarness h, AttemptId id) {
    return new StartRound(id, h.ring(), baseHash(), true, ParticipantHarness.SHARED, h.coordinator.ref());
  }

  @Test
  void startRound_sealedByAMemberThatIsNotTheHost_isRefusedAnsweredOnceAndNothingStarts() throws Exception {
    try (ParticipantHarness h = harness()) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      Mallory mallory = new Mallory(h);
      StartRound forged = mallory.seal(new StartRound(id, mallory.ring, baseHash(), true,
          ParticipantHarness.SHARED, mallory.inbox.ref()));
      LoggingTestKit.warn("Refused StartRound for " + id).withMessageContains("signed by 'site-m'")
          .withMessageContains("host in the view of site-c is 'site-a'")
          .expect(h.kits.get(0).system(), () -> {
            mallory.send(2, forged);
            return null;
          });
      // Answered, so that a genuine coordinator a member does not see as host yet retries soon: sealed by the victim.
      AttemptFailed answer = mallory.inbox.expectMessageClass(AttemptFailed.class, WAIT);
      assertEquals(id, answer.attempt());
      assertEquals("site-c", answer.nodeId());
      assertEquals("site-c", mallory.seals.signer(answer));
      assertTrue(answer.reason().contains("'site-m'") && answer.reason().contains("'site-a'"), answer.reason());
      mallory.send(2, forged); // a replay makes the victim sign nothing more
      mallory.inbox.expectNoMessage(QUIET); // no Ready: the attempt did not start
      h.coordinator.expectNoMessage(QUIET);
      assertNoChunks(h.received.get(2));
      MemberStatus victim = status(h, 2);
      assertEquals(0, victim.committedRound());
      assertNull(victim.pendingAttempt());
      // The host's StartRound for the same round is taken: the refusal changed nothing.
      Map<String, Aggregated> results = runSecureRound(h, ParticipantHarness.attempt(1, 1), h.ring());
      assertEquals(3, results.size());
    }
  }

  @Test
  void abortRecoverAndKeys_sealedByAMemberThatIsNotTheHost_areRefusedAndTheAttemptGoesOn() {
    try (ParticipantHarness h = harness()) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      List<KeyAdvert> keys = startAndCollectKeys(h, id, h.ring());
      Mallory mallory = new Mallory(h);
      AbortAttempt abort = mallory.seal(new AbortAttempt(id, "forged"));
      LoggingTestKit.warn("Refused AbortAttempt for " + id).withMessageContains("signed by 'site-m'")
          .withOccurrences(3).expect(h.kits.get(0).system(), () -> {
            mallory.sendToAll(abort);
            return null;
          });
      // A forged RecoverAttempt would make members send segments straight to each other: refused like the abort.
      RecoverAttempt recover = mallory.seal(new RecoverAttempt(id, List.of("site-c")));
      LoggingTestKit.warn("Refused RecoverAttempt for " + id).withMessageContains("signed by 'site-m'")
          .withOccurrences(3).expect(h.kits.get(0).system(), () -> {
            mallory.sendToAll(recover);
            return null;
          });
      RoundKeys go = mallory.seal(new RoundKeys(id, keys));
      LoggingTestKit.warn("Refused RoundKeys for " + id).withMessageContains("signed by 'site-m'")
          .withOccurrences(3).expect(h.kits.get(0).system(), () -> {
            mallory.sendToAll(go);
            return null;
          });
      h.coordinator.expectNoMessage(QUIET);
      h.received.forEach(ParticipantProtocolTest::assertNoChunks);
      // Not aborted: the host's keys run the attempt to its end.
      RoundKeys honest = h.sealed(new RoundKeys(id, keys));
      h.ring().forEach(p -> p.participant().tell(honest));
      Map<String, Aggregated> results = collectResults(h, id, 3);
      assertEquals(1, results.values().stream().map(Aggregated::modelHash).distinct().count());
    }
  }

  @Test
  void commitAndCatchUp_sealedByAMemberThatIsNotTheHost_areRefusedAndTheModelIsKept() {
    try (ParticipantHarness h = harness()) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      Map<String, Aggregated> results = runSecureRound(h, id, h.ring());
      String hash = results.get("site-a").modelHash();
      CommitProof certificate = certificateOf(h.ring(), results);
      Mallory mallory = new Mallory(h);
      CommitRound forged = mallory.seal(new CommitRound(id, hash, certificate, mallory.inbox.ref()));
      LoggingTestKit.warn("Refused CommitRound for " + id).withMessageContains("signed by 'site-m'")
          .withOccurrences(3).expect(h.kits.get(0).system(), () -> {
            mallory.sendToAll(forged);
            return null;
          });
      TestProbe<ParticipantCommand> peer = mallory.kit.createTestProbe();
      ModelState elsewhere = ModelState.of(1, new float[PARAMS], new float[0]);
      CatchUp catchUp = mallory.seal(new CatchUp(1, elsewhere.hash(), List.of(peer.ref()), mallory.inbox.ref(),
          majorityCertificate(1, elsewhere.hash())));
      LoggingTestKit.warn("Refused CatchUp to round 1").withMessageContains("signed by 'site-m'")
          .expect(h.kits.get(0).system(), () -> {
            mallory.send(2, catchUp);
            return null;
          });
      peer.expectNoMessage(QUIET); // nobody was asked for a model
      mallory.inbox.expectNoMessage(QUIET); // nothing acknowledged
      h.coordinator.expectNoMessage(QUIET);
      for (int i = 0; i < 3; i++) {
        MemberStatus s = status(h, i);
        assertEquals(0, s.committedRound(), s.member().nodeId() + " kept its model");
        assertEquals(id, s.pendingAttempt(), s.member().nodeId() + " still holds the result");
      }
      CommitRound honest = h.sealed(new CommitRound(id, hash, certificate, h.coordinator.ref()));
      h.ring().forEach(p -> p.participant().tell(honest));
      Map<String, RoundCommitted> acknowledged = new LinkedHashMap<>();
      while (acknowledged.size() < 3) {
        if (h.coordinator.receiveMessage(WAIT) instanceof RoundCommitted c) {
          acknowledged.put(c.nodeId(), c);
        }
      }
      // Replayed, the host's commit is acknowledged again with the same sealed message: no signature per replay.
      h.tell(0, honest);
      h.tell(0, honest);
      assertEquals(acknowledged.get("site-a"), h.coordinator.expectMessageClass(RoundCommitted.class, WAIT));
      assertEquals(acknowledged.get("site-a"), h.coordinator.expectMessageClass(RoundCommitted.class, WAIT));
    }
  }

  @Test
  void startRound_withAForgedOrAlteredSeal_isRefusedUnansweredAndLoggedOncePerAttemptAndReason() {
    try (ParticipantHarness h = harness()) {
      // Each forgery of its own attempt: a refusal is logged once per attempt, signer and reason.
      Map<String, Function<AttemptId, StartRound>> forgeries = new LinkedHashMap<>();
      Map<String, String> reasons = new LinkedHashMap<>();
      forgeries.put("unsealed", id -> startRound(h, id));
      reasons.put("unsealed", "not sealed");
      forgeries.put("flipped bit", id -> {
        StartRound honest = h.sealed(startRound(h, id));
        ControlSeal seal = ControlSeal.decode(honest.seal().encoded());
        byte[] flipped = seal.signature();
        flipped[17] ^= 1;
        return honest.withSeal(encoded(new ControlSeal("site-a", seal.certificateDer(), flipped)));
      });
      reasons.put("flipped bit", "bad signature");
      forgeries.put("altered field", id -> new StartRound(id, h.ring(), baseHash(), false,
          ParticipantHarness.SHARED, h.coordinator.ref(), h.sealed(startRound(h, id)).seal()));
      reasons.put("altered field", "bad signature");
      forgeries.put("another attempt's seal", id -> startRound(h, id)
          .withSeal(h.sealed(startRound(h, ParticipantHarness.attempt(1, 1))).seal()));
      reasons.put("another attempt's seal", "bad signature");
      forgeries.put("foreign CA", id -> ControlSeals.of(h.kits.get(0).system(),
          TestSignatures.identity("rogue", "site-a")).seal(startRound(h, id)));
      reasons.put("foreign CA", "not from this consortium's CA");
      forgeries.put("host's name, another's certificate", id -> {
        ControlSeal bobs = ControlSeal.decode(h.sealedBy(NOT_THE_HOST, startRound(h, id)).seal().encoded());
        return startRound(h, id).withSeal(encoded(new ControlSeal("site-a", bobs.certificateDer(),
            bobs.signature())));
      });
      reasons.put("host's name, another's certificate", "CN mismatch");

      for (Map.Entry<String, Function<AttemptId, StartRound>> forgery : forgeries.entrySet()) {
        AttemptId id = ParticipantHarness.attempt(1, 1);
        StartRound forged = forgery.getValue().apply(id);
        LoggingTestKit.warn("Refused StartRound for " + id).withMessageContains("does not verify")
            .withMessageContains(reasons.get(forgery.getKey())).expect(h.kits.get(0).system(), () -> {
              h.tell(1, forged);
              return null;
            });
        if (forgery.getKey().equals("flipped bit")) {
          LoggingTestKit.warn("Refused StartRound for " + id).withOccurrences(0).expect(h.kits.get(0).system(), () -> {
            h.tell(1, forged); // the same again: refused, not logged again
            return null;
          });
        }
      }
      h.coordinator.expectNoMessage(QUIET); // no Ready, and no answer to a signer nobody verified
      assertNoChunks(h.received.get(1));
      assertNull(status(h, 1).pendingAttempt());
    }
  }

  @Test
  void replayedStartRound_ofAnOlderOrTheSameAttempt_isIgnoredAndTheCurrentOneGoesOn() {
    try (ParticipantHarness h = harness()) {
      AttemptId first = ParticipantHarness.attempt(1, 1);
      StartRound old = h.sealed(startRound(h, first));
      h.ring().forEach(p -> p.participant().tell(old));
      for (int i = 0; i < 3; i++) {
        h.coordinator.expectMessageClass(Ready.class, WAIT);
      }
      AbortAttempt abort = h.sealed(new AbortAttempt(first, "retry"));
      h.ring().forEach(p -> p.participant().tell(abort));
      AttemptId second = ParticipantHarness.attempt(1, 2);
      List<KeyAdvert> keys = startAndCollectKeys(h, second, h.ring());
      // A ring member that kept the host's genuine StartRounds replays them.
      LoggingTestKit.warn("Ignored StartRound for " + first).withMessageContains("stale").withOccurrences(3)
          .expect(h.kits.get(0).system(), () -> {
            h.ring().forEach(p -> p.participant().tell(old));
            return null;
          });
      assertEquals(second, status(h, 0).takenAttempt(), "reported, so that a new coordinator numbers after it");
      StartRound current = h.sealed(startRound(h, second));
      h.tell(0, current); // the attempt in flight, started again: taken already, so ignored too
      h.coordinator.expectNoMessage(QUIET);
      RoundKeys go = h.sealed(new RoundKeys(second, keys));
      h.ring().forEach(p -> p.participant().tell(go));
      assertEquals(3, collectResults(h, second, 3).size());
    }
  }

  /**
   * A certified member, site-m, that is not the coordinator's host, in its own actor system with its own certificate,
   * sending over Artery; stopped with the harness.
   */
  private static final class Mallory {
    final ActorTestKit kit;
    final ControlSeals seals;
    final TestProbe<CoordinatorCommand> inbox;
    /** The harness's ring, as refs of this system. */
    final List<RingMember> ring;

    Mallory(ParticipantHarness h) {
      kit = ActorTestKit.create("fedmesh", ParticipantHarness.REMOTE.withFallback(ConfigFactory.load()));
      h.kits.add(kit);
      seals = ControlSeals.of(kit.system(), TestSignatures.identity("participants", "site-m"));
      inbox = kit.createTestProbe();
      ActorRefResolver there = ActorRefResolver.get(h.kits.get(0).system());
      ActorRefResolver here = ActorRefResolver.get(kit.system());
      ring = h.ring().stream().map(m -> new RingMember(m.nodeId(),
          here.<ParticipantCommand>resolveActorRef(there.toSerializationFormat(m.participant())),
          here.<AllReduceProtocol.Command>resolveActorRef(there.toSerializationFormat(m.ring())))).toList();
    }

    <M extends Sealable<M>> M seal(M message) {
      return seals.seal(message);
    }

    void send(int member, ParticipantCommand message) {
      ring.get(member).participant().tell(message);
    }

    void sendToAll(ParticipantCommand message) {
      ring.forEach(m -> m.participant().tell(message));
    }
  }

  private static ControlSignature encoded(ControlSeal seal) {
    return new ControlSignature(seal.encode());
  }
}
