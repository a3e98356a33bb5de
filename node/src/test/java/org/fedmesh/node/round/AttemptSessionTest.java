package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.mpc.WeightedUpdateCodec;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.round.AttemptSession.Phase;
import org.fedmesh.mpc.MaskPrg;
import org.fedmesh.node.secure.AttemptSecrets;
import org.fedmesh.node.secure.SelfMaskExchange;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.Contributed;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.KeyAdvert;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.Ready;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.StartRound;
import org.fedmesh.protocols.SelfMaskProtocol;
import org.fedmesh.protocols.SelfMaskProtocol.PeerMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attempt session alone, driven by probes (no Artery): the ring endpoint, the coordinator and the participant
 * are probes, and its crypto work runs only when the test releases it, so every state can be held still. The two
 * peers are played by the test with their own secrets and {@link SelfMaskExchange}s. For every state, every message
 * is either the documented transition or changes nothing (the state x message table).
 */
class AttemptSessionTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final WeightedUpdateCodec CODEC = WeightedUpdateCodec.create(100, 20, 16, 1_000_000, 1000);
  private static final int PARAMS = 4;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static ActorTestKit kit;
  private static List<MemberIdentity> identities;

  private final ManualExecutor crypto = new ManualExecutor();
  private TestProbe<AllReduceProtocol.Command> ring;
  private TestProbe<CoordinatorCommand> coordinator;
  private TestProbe<AttemptSession.Outcome> participant;
  private AttemptId attempt;
  private ActorRef<AttemptSession.Command> session;
  private RoundKeys keys;
  /** The peers site-b and site-c: their secrets, what site-a sends them, and (once keys verify) their exchanges. */
  private final List<AttemptSecrets> peerSecrets = new ArrayList<>();
  private final List<TestProbe<ParticipantCommand>> peerInbox = new ArrayList<>();
  private final List<SelfMaskExchange> peers = new ArrayList<>();
  private ActorRef<RingAllReduce.Outcome> ringReplies;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create();
    ConsortiumCa ca = ConsortiumCa.create("session-test", Duration.ofDays(7));
    identities = new ArrayList<>();
    for (String id : List.of("site-a", "site-b", "site-c")) {
      identities.add(ca.issue(id, List.of("127.0.0.1"), Duration.ofDays(1)));
    }
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @BeforeEach
  void newSession() {
    ring = kit.createTestProbe();
    coordinator = kit.createTestProbe();
    participant = kit.createTestProbe();
    attempt = AttemptId.fresh(1, 1, RANDOM);
    List<RingMember> members = new ArrayList<>();
    peerSecrets.clear();
    peerInbox.clear();
    peers.clear();
    for (MemberIdentity identity : identities) {
      TestProbe<ParticipantCommand> inbox = kit.createTestProbe();
      members.add(new RingMember(identity.nodeId(), inbox.ref(), ring.ref()));
      if (!identity.nodeId().equals("site-a")) {
        peerInbox.add(inbox);
        peerSecrets.add(AttemptSecrets.create(identity, attempt, 3, RANDOM));
      }
    }
    StartRound start = new StartRound(attempt, members, "base", true, Map.of(), coordinator.ref());
    ModelState base = ModelState.of(0, new float[PARAMS], new float[0]);
    AggregationPipeline pipeline = new AggregationPipeline(CODEC, ServerOptimizer.fedAvg(1.0), PARAMS);
    session = kit.spawn(AttemptSession.create(new AttemptSession.Setup("site-a", identities.get(0), start, 0, base,
        pipeline, ring.ref(), crypto, participant.ref(), ControlSeals.of(kit.system(), identities.get(0)))));
    ring.expectMessageClass(RingAllReduce.Expect.class, WAIT);
    KeyAdvert mine = coordinator.expectMessageClass(Ready.class, WAIT).key();
    List<KeyAdvert> all = new ArrayList<>(List.of(mine));
    peerSecrets.forEach(peer -> all.add(peer.advert()));
    keys = new RoundKeys(attempt, all);
  }

  @AfterEach
  void stopSession() {
    kit.stop(session, WAIT);
  }

  // ---------------------------------------------------------------- the states, reached one after another

  private void toPreparingMasks() {
    session.tell(new AttemptSession.Keys(keys));
    // the link keys go to the endpoint as soon as the peers' keys verify, before any masking
    RingAllReduce.Keys links = ring.expectMessageClass(RingAllReduce.Keys.class, WAIT);
    assertEquals(attempt, links.attempt());
    crypto.awaitQueued(); // the masks, made while the model trains
    playPeers();
  }

  /** The peers verify the keys too and take site-a's seed shares, which site-a sent once its keys verified. */
  private void playPeers() {
    List<String> ids = identities.stream().map(MemberIdentity::nodeId).toList();
    for (int p = 0; p < 2; p++) {
      Map<String, byte[]> others; // verified as a member does, seed commitments and all
      try {
        others = peerSecrets.get(p).verifyPeers(keys.keys(), ids, java.time.Instant.now());
      } catch (org.fedmesh.mpc.KeyVerificationException e) {
        throw new AssertionError(e);
      }
      SelfMaskExchange peer = new SelfMaskExchange(peerSecrets.get(p), ids, others, "base",
          CODEC.vectorLength(PARAMS), Runnable::run, RANDOM);
      PeerMessage share = (PeerMessage) peerInbox.get(p).expectMessageClass(PeerMessage.class, WAIT);
      assertEquals(SelfMaskProtocol.Kind.SEED_SHARE, share.kind());
      assertTrue(peer.receive(share).isEmpty(), "site-a's share opens for " + ids.get(p + 1));
      peers.add(peer);
    }
  }

  /**
   * The masked sum the ring would give: {@code plain} plus every participant's self-mask. The peers learn site-a's
   * seed the way the protocol allows once all attested: site-c rebuilds it from its own share and the one site-b
   * reveals (two of three, the threshold).
   */
  private long[] maskedSum(long[] plain) {
    SelfMaskExchange b = peers.get(0);
    SelfMaskExchange c = peers.get(1);
    for (SelfMaskExchange.Outgoing out : b.reveals()) {
      if (out.to().equals("site-c")) {
        assertTrue(c.receive(out.message()).isEmpty());
      }
    }
    c.reveals();
    long[] sum = plain.clone();
    c.allSeeds().orElseThrow().forEach(seed -> MaskPrg.add(sum, seed, false));
    return sum;
  }

  /** What the peers send site-a: shares first, then attestations ({@code andReveal}: then their reveals). */
  private void peersTellSiteA(boolean andReveal) {
    for (SelfMaskExchange peer : peers) {
      peer.seedShares().stream().filter(o -> o.to().equals("site-a")).forEach(o -> session.tell(
          new AttemptSession.FromPeer(o.message())));
      peer.attestations().stream().filter(o -> o.to().equals("site-a")).forEach(o -> session.tell(
          new AttemptSession.FromPeer(o.message())));
    }
    if (andReveal) {
      for (SelfMaskExchange peer : peers) {
        peer.reveals().stream().filter(o -> o.to().equals("site-a")).forEach(o -> session.tell(
            new AttemptSession.FromPeer(o.message())));
      }
    }
  }

  /**
   * The ring's report that site-a holds its summed segment (here the whole vector, at offset 0, for simplicity) and
   * keeps site-b's.
   */
  private static RingAllReduce.SegmentSummed summed(AttemptId attempt, long[] values) {
    int[] ofB = RingAllReduce.summedSegment(3, CODEC.vectorLength(PARAMS), 1);
    return new RingAllReduce.SegmentSummed(attempt, 0, values, ofB[0], new long[ofB[1] - ofB[0]]);
  }

  /** The kind of the next message site-a sends {@code inbox}'s peer. */
  private static SelfMaskProtocol.Kind nextKind(TestProbe<ParticipantCommand> inbox) {
    return inbox.expectMessageClass(PeerMessage.class, WAIT).kind();
  }

  private void toWaitingForUpdate() {
    toPreparingMasks();
    crypto.runNext();
    awaitPhase(Phase.WAITING_FOR_UPDATE);
  }

  private void toMasking() {
    toWaitingForUpdate();
    session.tell(new AttemptSession.UpdateReady(update()));
    crypto.awaitQueued(); // encoding and adding the masks
  }

  private ActorRef<RingAllReduce.Outcome> toSumming() {
    toMasking();
    crypto.runNext();
    RingAllReduce.Start start = ring.expectMessageClass(RingAllReduce.Start.class, WAIT);
    coordinator.expectMessageClass(Contributed.class, WAIT);
    return start.replyTo();
  }

  private void toAttesting() {
    ringReplies = toAttesting(plain());
  }

  /** The ring pauses with site-a's segment summed; here the segment is the whole vector, at offset 0. */
  private ActorRef<RingAllReduce.Outcome> toAttesting(long[] plainSum) {
    ActorRef<RingAllReduce.Outcome> replies = toSumming();
    replies.tell(summed(attempt, maskedSum(plainSum)));
    awaitPhase(Phase.ATTESTING);
    crypto.awaitQueued(); // its own seed's mask comes off at once
    crypto.runNext();
    return replies;
  }

  private void toAwaitingSeeds() {
    toAttesting();
    peersTellSiteA(false);
    assertInstanceOf(AttemptSession.SumRevealed.class, participant.expectMessageClass(AttemptSession.Outcome.class,
        WAIT));
    awaitPhase(Phase.AWAITING_SEEDS);
  }

  private void toUnmasking() {
    toAwaitingSeeds();
    peersTellSiteA(true);
    crypto.awaitQueued(); // the two peers' masks come off, one after the other
  }

  /** The unmasked segment goes back to the ring: it is the plain sum, every self-mask removed. */
  private ActorRef<RingAllReduce.Outcome> toGathering() {
    toUnmasking();
    crypto.runNext();
    crypto.awaitQueued();
    crypto.runNext();
    RingAllReduce.ReleaseSegment release = ring.expectMessageClass(RingAllReduce.ReleaseSegment.class, WAIT);
    assertEquals(attempt, release.attempt());
    assertTrue(java.util.Arrays.equals(plain(), release.values()), "the released segment is the plain sum");
    awaitPhase(Phase.GATHERING);
    return ringReplies;
  }

  private void toDecoding() {
    toGathering();
    ringReplies.tell(new RingAllReduce.Completed(attempt, plain(), 64, 2));
    crypto.awaitQueued();
  }

  private static long[] plain() {
    return CODEC.encode(new float[PARAMS], 30, 0.5).vector();
  }

  private void toWaitingForCommit() {
    toDecoding();
    crypto.runNext();
    AttemptSession.Aggregated done = participant.expectMessageClass(AttemptSession.Aggregated.class, WAIT);
    assertEquals(30, done.applied().sum().totalSamples(), "the self-masks are gone: the plain sum decodes");
  }

  private static LocalUpdates.LocalUpdate update() {
    return new LocalUpdates.LocalUpdate(new float[] {0.1f, -0.2f, 0.3f, 0f}, 10, 0.5);
  }

  // ---------------------------------------------------------------- the table

  private enum State {
    WAITING_FOR_KEYS(Phase.WAITING_FOR_KEYS, t -> { }),
    PREPARING_MASKS(Phase.PREPARING_MASKS, AttemptSessionTest::toPreparingMasks),
    WAITING_FOR_UPDATE(Phase.WAITING_FOR_UPDATE, AttemptSessionTest::toWaitingForUpdate),
    MASKING(Phase.MASKING, AttemptSessionTest::toMasking),
    SUMMING(Phase.SUMMING, AttemptSessionTest::toSumming),
    ATTESTING(Phase.ATTESTING, AttemptSessionTest::toAttesting),
    AWAITING_SEEDS(Phase.AWAITING_SEEDS, AttemptSessionTest::toAwaitingSeeds),
    UNMASKING(Phase.UNMASKING, AttemptSessionTest::toUnmasking),
    GATHERING(Phase.GATHERING, t -> t.toGathering()),
    DECODING(Phase.DECODING, AttemptSessionTest::toDecoding),
    WAITING_FOR_COMMIT(Phase.WAITING_FOR_COMMIT, AttemptSessionTest::toWaitingForCommit);

    final Phase phase;
    final java.util.function.Consumer<AttemptSessionTest> reach;

    State(Phase phase, java.util.function.Consumer<AttemptSessionTest> reach) {
      this.phase = phase;
      this.reach = reach;
    }
  }

  /** Every message type a session can receive, as the test makes it. */
  private enum Message {
    KEYS(t -> new AttemptSession.Keys(t.keys)),
    KEYS_OF_ANOTHER_ATTEMPT(t -> new AttemptSession.Keys(new RoundKeys(AttemptId.fresh(1, 2, RANDOM),
        t.keys.keys()))),
    UPDATE_READY(t -> new AttemptSession.UpdateReady(update())),
    TRAINING_FAILED(t -> new AttemptSession.TrainingFailed("out of memory")),
    MASKS_MADE(t -> new AttemptSession.MasksMade(new long[CODEC.vectorLength(PARAMS)])),
    VECTOR_MADE(t -> new AttemptSession.VectorMade(new long[CODEC.vectorLength(PARAMS)])),
    RING_COMPLETED(t -> new AttemptSession.RingReport(new RingAllReduce.Completed(t.attempt,
        CODEC.encode(new float[PARAMS], 30, 0.5).vector(), 64, 2))),
    RING_FAILED(t -> new AttemptSession.RingReport(new RingAllReduce.Failed(t.attempt, "endpoint restarted"))),
    RING_SEGMENT_SUMMED(t -> new AttemptSession.RingReport(summed(t.attempt,
        CODEC.encode(new float[PARAMS], 30, 0.5).vector()))),
    SEGMENT_UNMASKED(t -> new AttemptSession.SegmentUnmasked(new long[CODEC.vectorLength(PARAMS)])),
    DECODED(t -> new AttemptSession.Decoded(new AggregationPipeline.Applied(
        ModelState.of(1, new float[PARAMS], new float[0]),
        CODEC.decode(CODEC.encode(new float[PARAMS], 30, 0.5).vector(), PARAMS)))),
    STEP_FAILED(t -> new AttemptSession.StepFailed("encoding", new IllegalArgumentException("NaN at 3"))),
    FORGED_PEER_MESSAGE(t -> new AttemptSession.FromPeer(new PeerMessage(t.attempt, "site-b",
        SelfMaskProtocol.Kind.SUM_HELD, new byte[12], new byte[16]))),
    RECOVER(t -> new AttemptSession.Recover(List.of("site-c"))),
    BACKUP_UNMASKED(t -> new AttemptSession.BackupUnmasked(new long[CODEC.vectorLength(PARAMS)]));

    final Function<AttemptSessionTest, AttemptSession.Command> make;

    Message(Function<AttemptSessionTest, AttemptSession.Command> make) {
      this.make = make;
    }
  }

  /** What a state does with a message: moves to a phase, ends the session with a failure, or ignores it. */
  private static String expected(State state, Message message) {
    return switch (state) {
      case WAITING_FOR_KEYS -> switch (message) {
        case KEYS -> "PREPARING_MASKS";
        case UPDATE_READY -> "WAITING_FOR_KEYS";
        case TRAINING_FAILED -> "failed";
        default -> "ignored";
      };
      case PREPARING_MASKS -> switch (message) {
        case MASKS_MADE -> "WAITING_FOR_UPDATE";
        case UPDATE_READY -> "PREPARING_MASKS";
        case TRAINING_FAILED, STEP_FAILED -> "failed";
        default -> "ignored";
      };
      case WAITING_FOR_UPDATE -> switch (message) {
        case UPDATE_READY -> "MASKING";
        case TRAINING_FAILED -> "failed";
        default -> "ignored";
      };
      case MASKING -> switch (message) {
        case VECTOR_MADE -> "SUMMING";
        case STEP_FAILED -> "failed";
        default -> "ignored";
      };
      case SUMMING -> switch (message) {
        case RING_SEGMENT_SUMMED -> "ATTESTING";
        case RING_FAILED -> "failed";
        default -> "ignored"; // a secure session decodes only what the ring completes after the release
      };
      // In ATTESTING site-a has not revealed its seed, so it cannot help complete the attempt without site-c.
      case ATTESTING -> message == Message.RING_FAILED || message == Message.RECOVER ? "failed" : "ignored";
      case AWAITING_SEEDS -> message == Message.RING_FAILED ? "failed" : "ignored";
      case UNMASKING -> switch (message) {
        case SEGMENT_UNMASKED -> "GATHERING";
        case STEP_FAILED, RING_FAILED -> "failed";
        default -> "ignored";
      };
      case GATHERING -> switch (message) {
        case RING_COMPLETED -> "DECODING";
        case RECOVER -> "RECOVERING"; // site-a revealed: it sends its segment straight to site-b
        case RING_FAILED -> "failed";
        default -> "ignored";
      };
      case DECODING -> switch (message) {
        case DECODED -> "WAITING_FOR_COMMIT";
        case STEP_FAILED -> "failed";
        default -> "ignored";
      };
      case WAITING_FOR_COMMIT -> "ignored";
    };
  }

  static Stream<Arguments> table() {
    return Stream.of(State.values()).flatMap(s -> Stream.of(Message.values()).map(m -> Arguments.of(s, m)));
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("table")
  void everyState_everyMessage_isItsTransitionOrChangesNothing(State state, Message message) {
    state.reach.accept(this);
    awaitPhase(state.phase);
    session.tell(message.make.apply(this));
    String outcome = expected(state, message);
    if (outcome.equals("failed")) {
      assertInstanceOf(AttemptSession.Failed.class, participant.expectMessageClass(AttemptSession.Outcome.class,
          WAIT));
      participant.expectTerminated(session, WAIT);
      assertInstanceOf(RingAllReduce.Cancel.class, ring.expectMessageClass(RingAllReduce.Cancel.class, WAIT));
    } else if (outcome.equals("ignored")) {
      assertEquals(state.phase, phase());
      participant.expectNoMessage(Duration.ofMillis(100));
      coordinator.expectNoMessage(Duration.ZERO);
      ring.expectNoMessage(Duration.ZERO);
    } else {
      assertEquals(Phase.valueOf(outcome), awaitPhase(Phase.valueOf(outcome)));
    }
  }

  // ---------------------------------------------------------------- the paths, end to end

  @Test
  void secureAttempt_keysBeforeUpdate_masksAreMadeDuringTrainingAndTheSumIsReported() {
    toWaitingForCommit();
    assertEquals(Phase.WAITING_FOR_COMMIT, phase());
  }

  @Test
  void secureAttempt_updateBeforeKeys_masksGoStraightIntoTheEncoding() {
    session.tell(new AttemptSession.UpdateReady(update()));
    session.tell(new AttemptSession.Keys(keys));
    crypto.awaitQueued();
    assertEquals(Phase.MASKING, phase());
    crypto.runNext();
    assertEquals(attempt, ring.expectMessageClass(RingAllReduce.Keys.class, WAIT).attempt(), "keys before start");
    assertEquals(attempt, ring.expectMessageClass(RingAllReduce.Start.class, WAIT).attempt());
  }

  @Test
  void secureAttempt_revealsItsSeedOnlyOnceEveryPeerAttested() {
    toAttesting();
    for (SelfMaskExchange peer : peers) { // shares, and one attestation only
      peer.seedShares().stream().filter(o -> o.to().equals("site-a")).forEach(o -> session.tell(
          new AttemptSession.FromPeer(o.message())));
    }
    peers.get(0).attestations().stream().filter(o -> o.to().equals("site-a")).forEach(o -> session.tell(
        new AttemptSession.FromPeer(o.message())));
    for (TestProbe<ParticipantCommand> inbox : peerInbox) {
      assertEquals(SelfMaskProtocol.Kind.SUM_HELD, nextKind(inbox));
    }
    assertEquals(Phase.ATTESTING, phase());
    peerInbox.forEach(inbox -> inbox.expectNoMessage(Duration.ofMillis(200)));
    participant.expectNoMessage(Duration.ZERO);
    peers.get(1).attestations().stream().filter(o -> o.to().equals("site-a")).forEach(o -> session.tell(
        new AttemptSession.FromPeer(o.message())));
    for (TestProbe<ParticipantCommand> inbox : peerInbox) {
      assertEquals(SelfMaskProtocol.Kind.REVEAL, nextKind(inbox));
    }
    assertInstanceOf(AttemptSession.SumRevealed.class, participant.expectMessageClass(AttemptSession.Outcome.class,
        WAIT));
    assertEquals(Phase.AWAITING_SEEDS, phase());
  }

  /**
   * site-c's attestation is late: site-b (which had it) reveals, and site-a rebuilds site-c's seed from its own
   * share and the one site-b revealed (two of three). site-a can unmask before it may reveal, so it must say at
   * once that the sum may be known (its update is spent), and it still reveals once the attestation comes.
   */
  @Test
  void aPeersRevealBeforeTheLastAttestation_isReportedAtOnce_andTheMemberRevealsWhenItMay() {
    toAttesting();
    for (SelfMaskExchange peer : peers) {
      peer.seedShares().stream().filter(o -> o.to().equals("site-a")).forEach(o -> session.tell(
          new AttemptSession.FromPeer(o.message())));
    }
    SelfMaskExchange b = peers.get(0);
    peers.get(1).seedShares().stream().filter(o -> o.to().equals("site-b"))
        .forEach(o -> assertTrue(b.receive(o.message()).isEmpty())); // site-b holds a share of site-c's seed
    b.attestations().stream().filter(o -> o.to().equals("site-a")).forEach(o -> session.tell(
        new AttemptSession.FromPeer(o.message())));
    b.reveals().stream().filter(o -> o.to().equals("site-a")).forEach(o -> session.tell(
        new AttemptSession.FromPeer(o.message())));
    assertInstanceOf(AttemptSession.SumRevealed.class, participant.expectMessageClass(AttemptSession.Outcome.class,
        WAIT));
    for (TestProbe<ParticipantCommand> inbox : peerInbox) {
      assertEquals(SelfMaskProtocol.Kind.SUM_HELD, nextKind(inbox));
    }
    crypto.awaitQueued(); // every seed is known: site-b's revealed, site-c's rebuilt
    assertEquals(Phase.UNMASKING, awaitPhase(Phase.UNMASKING));
    peerInbox.forEach(inbox -> inbox.expectNoMessage(Duration.ofMillis(100)));
    peers.get(1).attestations().stream().filter(o -> o.to().equals("site-a")).forEach(o -> session.tell(
        new AttemptSession.FromPeer(o.message())));
    for (TestProbe<ParticipantCommand> inbox : peerInbox) {
      assertEquals(SelfMaskProtocol.Kind.REVEAL, nextKind(inbox));
    }
    participant.expectNoMessage(Duration.ofMillis(100)); // said once
  }

  @Test
  void ringSumOfGarbage_failsAsUndecodableSum_notAsThisMembersFault() {
    long[] garbage = new java.util.SplittableRandom(3).longs(CODEC.vectorLength(PARAMS)).toArray();
    ActorRef<RingAllReduce.Outcome> replies = toAttesting(garbage);
    peersTellSiteA(true);
    participant.expectMessageClass(AttemptSession.SumRevealed.class, WAIT);
    for (int peer = 0; peer < 2; peer++) {
      crypto.awaitQueued();
      crypto.runNext();
    }
    long[] released = ring.expectMessageClass(RingAllReduce.ReleaseSegment.class, WAIT).values();
    assertTrue(java.util.Arrays.equals(garbage, released));
    replies.tell(new RingAllReduce.Completed(attempt, released, 64, 2));
    crypto.awaitQueued();
    crypto.runNext();
    AttemptSession.Failed failed = assertInstanceOf(AttemptSession.Failed.class,
        participant.expectMessageClass(AttemptSession.Outcome.class, WAIT));
    assertEquals(org.fedmesh.protocols.RoundProtocol.FailureKind.UNDECODABLE_SUM, failed.kind(), failed.reason());
  }

  @Test
  void keys_withAPeerKeySwapped_failTheAttemptNamingThePeer() {
    List<KeyAdvert> swapped = new ArrayList<>(keys.keys());
    swapped.set(2, AttemptSecrets.create(identities.get(1), attempt, 3, RANDOM).advert());
    session.tell(new AttemptSession.Keys(new RoundKeys(attempt, swapped)));
    AttemptSession.Failed failed = (AttemptSession.Failed) participant.expectMessageClass(
        AttemptSession.Outcome.class, WAIT);
    assertTrue(failed.reason().contains("site-"), failed.reason());
    participant.expectTerminated(session, WAIT);
  }

  @Test
  void stoppedSession_itsLateResultReachesNobody() {
    toMasking(); // the encoding is queued, not run
    kit.stop(session, WAIT);
    ring.expectMessageClass(RingAllReduce.Cancel.class, WAIT);
    crypto.runNext(); // the dead attempt's vector is made now
    ring.expectNoMessage(Duration.ofMillis(200));
    coordinator.expectNoMessage(Duration.ZERO);
    participant.expectNoMessage(Duration.ZERO);
  }

  // ---------------------------------------------------------------- helpers

  private Phase phase() {
    TestProbe<Phase> reply = kit.createTestProbe();
    session.tell(new AttemptSession.ReportPhase(reply.ref()));
    return reply.expectMessageClass(Phase.class, WAIT);
  }

  /** Asks until the session is at {@code wanted}: internal results arrive through the mailbox, not at once. */
  private Phase awaitPhase(Phase wanted) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Phase now = phase();
    while (now != wanted && System.nanoTime() < deadline) {
      now = phase();
    }
    return now;
  }

  /** The session's crypto dispatcher, run by hand: queued work runs only when the test says so. */
  private static final class ManualExecutor implements Executor {
    private final BlockingQueue<Runnable> queued = new LinkedBlockingQueue<>();
    private Runnable next;

    @Override
    public void execute(Runnable task) {
      queued.add(task);
    }

    void awaitQueued() {
      try {
        next = queued.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (next == null) {
        throw new AssertionError("the session queued no work within " + WAIT);
      }
    }

    void runNext() {
      if (next == null) {
        awaitQueued();
      }
      Runnable task = next;
      next = null;
      task.run();
    }
  }
}
