package org.fedmesh.node.round;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.mpc.KeyVerificationException;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.round.AggregationPipeline.Applied;
import org.fedmesh.node.round.AggregationPipeline.Masking;
import org.fedmesh.node.secure.AttemptSecrets;
import org.fedmesh.node.secure.SelfMaskExchange;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.Contributed;
import org.fedmesh.protocols.RoundProtocol.FailureKind;
import org.fedmesh.protocols.RoundProtocol.Ready;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.StartRound;
import org.fedmesh.protocols.RoundProtocol.Attestation;
import org.fedmesh.protocols.SelfMaskProtocol.PeerMessage;

/**
 * One member's part in one attempt: a child of the {@link Participant}, stopped when the attempt ends (commit,
 * abort, a new StartRound, a failure), so that a late result of a dead attempt lands in dead letters and never in
 * live state. Its states follow the round's steps, each accepting only its own messages:
 *
 * <pre>
 * waitingForKeys ──keys verified, no update yet──▶ preparingMasks ──masks made──▶ waitingForUpdate
 *       │ (update already here)                          │ (update arrives)            │ (update arrives)
 *       └─────────────────────────────────────────────────┴──────────▶ masking ◀────────┘
 * masking ──vector made──▶ summing ──ring completed──▶ decoding ──decoded──▶ waitingForCommit
 *                              │ (secure: segment summed)                          ▲
 *                              ▼                                                   │ ring completed
 * attesting ──all attested──▶ awaitingSeeds ──every seed known──▶ unmasking ──▶ gathering
 * </pre>
 *
 * In a secure attempt every vector also carries a self-mask, so the sum is still masked. The ring pauses when
 * this member's segment is summed: the session attests to every peer that it holds it, reveals its seed only once
 * every peer attested, removes every participant's self-mask from its segment once every seed is revealed or
 * rebuilt ({@link SelfMaskExchange}), and lets the ring spread it. Peers' messages that come early are held.
 * Anything else a state receives is ignored (debug log). Each failure is reported to the participant once, as a
 * {@link Failed}, and ends the session.
 */
public final class AttemptSession {

  /** What a session accepts. The participant relays keys and the trained update; the rest is its own work. */
  public sealed interface Command {}

  /** The coordinator's go signal with every participant's signed key (empty in a plain round). */
  public record Keys(RoundKeys keys) implements Command {}

  /** The update trained for this round (possibly before this attempt started: a retry reuses it). */
  public record UpdateReady(LocalUpdates.LocalUpdate update) implements Command {}

  public record TrainingFailed(String reason) implements Command {}

  /** A peer's double-masking message for this attempt, relayed by the participant. */
  public record FromPeer(PeerMessage message) implements Command {}

  /**
   * The coordinator (checked by the participant) says {@code lost} left after every participant attested: the
   * survivors put the sum together from directly sent segments ({@link #recovering}).
   */
  public record Recover(List<String> lost) implements Command {}

  /** Which step the session is at; answered in every state (for tests and status). */
  public record ReportPhase(ActorRef<Phase> replyTo) implements Command {}

  record MasksMade(long[] masks) implements Command {}

  record VectorMade(long[] vector) implements Command {}

  record RingReport(RingAllReduce.Outcome outcome) implements Command {}

  record Decoded(Applied applied) implements Command {}

  record SegmentUnmasked(long[] values) implements Command {}

  /** The lost successor's segment, which this member kept as a backup, unmasked. */
  record BackupUnmasked(long[] values) implements Command {}

  record StepFailed(String step, Throwable error) implements Command {}

  public enum Phase {
    WAITING_FOR_KEYS, PREPARING_MASKS, WAITING_FOR_UPDATE, MASKING, SUMMING, ATTESTING, AWAITING_SEEDS, UNMASKING,
    GATHERING, RECOVERING, DECODING, WAITING_FOR_COMMIT
  }

  /** What a session reports to its participant. */
  public sealed interface Outcome {
    AttemptId attempt();
  }

  /**
   * The sum decoded and applied; {@code aggregationNanos} runs from the update being at hand to here, and
   * {@code bytesSent} counts the vector payload this member sent into the ring.
   */
  public record Aggregated(AttemptId attempt, Applied applied, long aggregationNanos, long bytesSent,
                           List<Attestation> attestations) implements Outcome {}

  /** {@code kind} tells an undecodable sum (nobody's fault that this member can see) from this member's trouble. */
  public record Failed(AttemptId attempt, String reason, FailureKind kind) implements Outcome {}

  /**
   * The attempt's sum may now be known to its participants: this member or a peer revealed a self-mask seed (a
   * plain round: this member holds part of the unmasked sum). Its update must not go into another attempt (see
   * MemberStatus.revealedAttempt).
   */
  public record SumRevealed(AttemptId attempt) implements Outcome {}

  /** What a session works with: the attempt, where this member stands in it, and the member's parts. */
  public record Setup(String nodeId, MemberIdentity identity, StartRound start, int myIndex, ModelState base,
                      AggregationPipeline pipeline, ActorRef<AllReduceProtocol.Command> ring, Executor crypto,
                      ActorRef<Outcome> participant, ControlSeals seals) {
    AttemptId attempt() {
      return start.attempt();
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final ActorContext<Command> context;
  private final Setup setup;
  private final AttemptSecrets secrets;
  /** Double masking's messages; its exchange exists from the verified keys on. */
  private final SelfMaskTraffic traffic;
  /** Who the coordinator said was lost after every participant attested; null until it says so. */
  private List<String> recoverWithout;
  /** Completing the attempt without a participant lost after every one attested. */
  private final SegmentRecovery recovery;

  public static Behavior<Command> create(Setup setup) {
    return Behaviors.setup(context -> new AttemptSession(context, setup).begin());
  }

  private AttemptSession(ActorContext<Command> context, Setup setup) {
    this.context = context;
    this.setup = setup;
    this.secrets = setup.start().secure() ? AttemptSecrets.create(setup.identity(), setup.attempt(),
        setup.start().ring().size(), RANDOM) : null;
    this.traffic = new SelfMaskTraffic(setup.attempt(), setup.start().ring(), context.getLog(),
        () -> setup.participant().tell(new SumRevealed(setup.attempt())));
    this.recovery = new SegmentRecovery(setup.attempt(), setup.start().ring(), setup.myIndex(), traffic,
        setup.crypto());
  }

  private Behavior<Command> begin() {
    StartRound start = setup.start();
    // A secure round's pieces carry MACs: the endpoint holds what comes before the link keys, unapplied.
    setup.ring().tell(new RingAllReduce.Expect(start.attempt(), start.ring().size(), setup.myIndex(),
        setup.pipeline().vectorLength(), secrets != null));
    // Only once the ring endpoint expects this attempt: no peer sends before every participant is ready.
    start.coordinator().tell(setup.seals().seal(new Ready(start.attempt(), setup.nodeId(),
        secrets == null ? null : secrets.advert())));
    return waitingForKeys();
  }

  // ---------------------------------------------------------------- states

  /** Ready sent; waiting for the go while the model trains. */
  private Behavior<Command> waitingForKeys() {
    return state(Phase.WAITING_FOR_KEYS)
        .onMessage(UpdateReady.class, m -> waitingForKeys(UpdateAt.now(m.update())))
        .onMessage(TrainingFailed.class, m -> fail("local training failed: " + m.reason()))
        .onMessage(Keys.class, m -> isForThisAttempt(m.keys()) ? keysBeforeUpdate(m.keys()) : Behaviors.same())
        .onMessage(FromPeer.class, this::hold).build();
  }

  /** Ready sent, the update at hand (trained before the go, or reused from an earlier attempt). */
  private Behavior<Command> waitingForKeys(UpdateAt update) {
    return state(Phase.WAITING_FOR_KEYS)
        .onMessage(Keys.class, m -> isForThisAttempt(m.keys()) ? keysAfterUpdate(m.keys(), update) : Behaviors.same())
        .onMessage(FromPeer.class, this::hold).build();
  }

  private Behavior<Command> keysBeforeUpdate(RoundKeys keys) {
    if (secrets == null) {
      return waitingForUpdate(new AggregationPipeline.Unmasked());
    }
    Map<String, byte[]> peers = verifiedPeers(keys);
    if (peers == null) {
      return Behaviors.stopped();
    }
    // Training still runs: make the masks now, off the round's critical path.
    int length = setup.pipeline().vectorLength();
    AsyncWork.pipe(context, setup.crypto(), () -> secrets.masks(length, peers), MasksMade::new,
        e -> new StepFailed("masking", e));
    return preparingMasks();
  }

  private Behavior<Command> keysAfterUpdate(RoundKeys keys, UpdateAt update) {
    if (secrets == null) {
      return masking(update, new AggregationPipeline.Unmasked());
    }
    Map<String, byte[]> peers = verifiedPeers(keys);
    return peers == null ? Behaviors.stopped() : masking(update, new AggregationPipeline.Direct(secrets, peers));
  }

  /**
   * Every participant's key checked against the CA and this attempt; null (failure reported) when one is not.
   * Once they verify, the ring endpoint gets its link keys at once, before masking: peers may already be sending.
   */
  private Map<String, byte[]> verifiedPeers(RoundKeys keys) {
    Map<String, byte[]> peers;
    List<String> ring = setup.start().ring().stream().map(RingMember::nodeId).toList();
    try {
      peers = secrets.verifyPeers(keys.keys(), ring, Instant.now());
    } catch (KeyVerificationException e) {
      fail("the key of " + e.nodeId() + " does not verify: " + e.getMessage());
      return null;
    }
    int n = ring.size();
    if (n > 1) {
      AttemptSecrets.LinkKeys links = secrets.linkKeys(ring.get(Math.floorMod(setup.myIndex() - 1, n)),
          ring.get(Math.floorMod(setup.myIndex() + 1, n)), peers);
      setup.ring().tell(new RingAllReduce.Keys(setup.attempt(), links.send(), links.receive(), links.keepSend(),
          links.keepReceive()));
      traffic.begin(new SelfMaskExchange(secrets, ring, peers, setup.start().baseModelHash(),
          // Signed on the actor system's dispatcher while the ring runs, not queued behind the masks' work.
          setup.pipeline().vectorLength(), context.getExecutionContext(), RANDOM));
    }
    return peers;
  }

  private boolean isForThisAttempt(RoundKeys keys) {
    if (!keys.attempt().equals(setup.attempt())) {
      context.getLog().warn("Dropped keys for {}: this session is {}", keys.attempt(), setup.attempt());
      return false;
    }
    return true;
  }

  private Behavior<Command> preparingMasks() {
    return state(Phase.PREPARING_MASKS)
        .onMessage(MasksMade.class, m -> waitingForUpdate(new AggregationPipeline.Precomputed(m.masks())))
        .onMessage(UpdateReady.class, m -> awaitingMasks(UpdateAt.now(m.update())))
        .onMessage(TrainingFailed.class, m -> fail("local training failed: " + m.reason()))
        .onMessage(StepFailed.class, this::onStepFailed)
        .onMessage(FromPeer.class, this::hold).build();
  }

  /** The update arrived while its masks are still being made (still the mask-preparing step). */
  private Behavior<Command> awaitingMasks(UpdateAt update) {
    return state(Phase.PREPARING_MASKS)
        .onMessage(MasksMade.class, m -> masking(update, new AggregationPipeline.Precomputed(m.masks())))
        .onMessage(StepFailed.class, this::onStepFailed)
        .onMessage(FromPeer.class, this::hold).build();
  }

  private Behavior<Command> waitingForUpdate(Masking masking) {
    return state(Phase.WAITING_FOR_UPDATE)
        .onMessage(UpdateReady.class, m -> masking(UpdateAt.now(m.update()), masking))
        .onMessage(TrainingFailed.class, m -> fail("local training failed: " + m.reason()))
        .onMessage(FromPeer.class, this::hold).build();
  }

  private Behavior<Command> masking(UpdateAt update, Masking masking) {
    AsyncWork.pipe(context, setup.crypto(), () -> setup.pipeline().encodeMasked(update.update(), masking),
        VectorMade::new, e -> new StepFailed("encoding", e));
    return state(Phase.MASKING)
        .onMessage(VectorMade.class, m -> summing(update, m.vector()))
        .onMessage(StepFailed.class, this::onStepFailed)
        .onMessage(FromPeer.class, this::hold).build();
  }

  private Behavior<Command> summing(UpdateAt update, long[] vector) {
    ActorRef<RingAllReduce.Outcome> replies = context.messageAdapter(RingAllReduce.Outcome.class, RingReport::new);
    List<ActorRef<AllReduceProtocol.Command>> ring = setup.start().ring().stream().map(RingMember::ring).toList();
    // Double masking: the ring pauses once this member's segment is summed, until its self-masks are removed; it
    // keeps the successor's segment too, so that a segment outlives its member once every one attested.
    setup.ring().tell(new RingAllReduce.Start(setup.attempt(), ring, setup.myIndex(), vector, replies,
        traffic.exchange() != null));
    setup.start().coordinator().tell(setup.seals().seal(new Contributed(setup.attempt(), setup.nodeId())));
    return state(Phase.SUMMING)
        .onMessage(RingReport.class, m -> onRingReport(m.outcome(), update))
        .onMessage(FromPeer.class, this::hold).build();
  }

  private Behavior<Command> onRingReport(RingAllReduce.Outcome outcome, UpdateAt update) {
    if (!outcome.attempt().equals(setup.attempt())) {
      return Behaviors.same();
    }
    if (outcome instanceof RingAllReduce.SumRevealed) {
      if (secrets == null) { // in a secure attempt the segment's sum is still self-masked
        setup.participant().tell(new SumRevealed(setup.attempt()));
      }
      return Behaviors.same();
    }
    if (outcome instanceof RingAllReduce.Failed failed) {
      return fail("the ring all-reduce failed: " + failed.reason());
    }
    if (traffic.exchange() != null) { // only the summed segment or a failure count before the segment is released
      if (!(outcome instanceof RingAllReduce.SegmentSummed summed)) {
        return Behaviors.same();
      }
      traffic.exchange().holdsSum(summed.keptOffset(), summed.kept());
      return unmaskingWhenAllowed(update, new SegmentUnmasking(summed.offset(), summed.values(), setup.crypto()));
    }
    return decodeOnCompletion(outcome, update);
  }

  private Behavior<Command> decodeOnCompletion(RingAllReduce.Outcome outcome, UpdateAt update) {
    if (!outcome.attempt().equals(setup.attempt()) || !(outcome instanceof RingAllReduce.Completed completed)) {
      return outcome instanceof RingAllReduce.Failed failed && failed.attempt().equals(setup.attempt())
          ? fail("the ring all-reduce failed: " + failed.reason()) : Behaviors.same();
    }
    return decoding(update, completed.sum(), completed.bytesSent());
  }

  /**
   * This member's segment of the masked sum is here: attest once every seed share is held, reveal once every
   * peer attested, take each seed's mask off the segment as the seed becomes known. Re-entered on every peer
   * message; each step happens once.
   */
  private Behavior<Command> unmaskingWhenAllowed(UpdateAt update, SegmentUnmasking unmasking) {
    SelfMaskExchange exchange = traffic.exchange();
    traffic.advance();
    if (unmasking.remove(exchange.seedsKnown()) == setup.start().ring().size()) {
      context.pipeToSelf(unmasking.done(), (segment, error) -> error == null ? new SegmentUnmasked(segment)
          : new StepFailed("unmasking", AsyncWork.cause(error)));
      return state(Phase.UNMASKING)
          .onMessage(SegmentUnmasked.class, m -> gathering(update, unmasking.offset(), m.values()))
          .onMessage(Recover.class, this::recoverLater)
          .onMessage(StepFailed.class, this::onStepFailed)
          .onMessage(RingReport.class, m -> onRingReport(m.outcome(), update)) // only a failure can come now
          .onMessage(FromPeer.class, this::hold).build();
    }
    return state(exchange.hasRevealed() ? Phase.AWAITING_SEEDS : Phase.ATTESTING)
        .onMessage(FromPeer.class, m -> {
          traffic.take(m.message());
          return unmaskingWhenAllowed(update, unmasking);
        })
        .onMessage(Recover.class, this::recoverLater)
        .onMessage(RingReport.class, m -> onRingReport(m.outcome(), update)) // only a failure can come now
        .build();
  }

  /** Before this member's segment is unmasked: it recovers once it is, if it revealed its seed (else it cannot). */
  private Behavior<Command> recoverLater(Recover recover) {
    if (recovery.notRevealed()) {
      return cannotRecover(recover.lost());
    }
    recoverWithout = recover.lost();
    return Behaviors.same();
  }

  private Behavior<Command> cannotRecover(List<String> lost) {
    return fail("cannot complete it without " + lost + ": this member has not revealed its seed (it misses an"
        + " attestation)");
  }

  /** The unmasked segment goes round; the ring completes with the plain sum. */
  private Behavior<Command> gathering(UpdateAt update, int start, long[] segment) {
    setup.ring().tell(new RingAllReduce.ReleaseSegment(setup.attempt(), segment)); // the ring copies it, keeps none
    if (recoverWithout != null) {
      return recovering(update, start, segment, recoverWithout);
    }
    return state(Phase.GATHERING)
        .onMessage(RingReport.class, m -> decodeOnCompletion(m.outcome(), update))
        .onMessage(Recover.class, m -> recovering(update, start, segment, m.lost()))
        .onMessage(FromPeer.class, this::hold).build();
  }

  /**
   * A participant was lost after every one attested, and the ring, which passed through it, cannot complete: this
   * member sends its unmasked segment straight to every other survivor, and its lost successor's from the copy it
   * kept ({@link SegmentRecovery}); the sum is whole once every segment came.
   */
  private Behavior<Command> recovering(UpdateAt update, int start, long[] segment, List<String> lost) {
    if (recovery.notRevealed()) {
      return cannotRecover(lost);
    }
    context.getLog().info("{}: {} lost after every participant attested; sending segments straight to {}",
        setup.attempt(), lost, recovery.survivors(lost));
    recovery.sendOwn(lost, start, segment);
    recovery.successorsSegment(lost).ifPresent(unmasked -> context.pipeToSelf(unmasked, (values, error) ->
        error == null ? new BackupUnmasked(values)
            : new StepFailed("unmasking the lost successor's segment", AsyncWork.cause(error))));
    return recoveringUntilWhole(update, lost);
  }

  private Behavior<Command> recoveringUntilWhole(UpdateAt update, List<String> lost) {
    Optional<long[]> sum = traffic.exchange().recoveredSum();
    if (sum.isPresent()) {
      return decoding(update, sum.get(), 0);
    }
    return state(Phase.RECOVERING)
        .onMessage(FromPeer.class, m -> {
          traffic.take(m.message());
          return recoveringUntilWhole(update, lost);
        })
        .onMessage(BackupUnmasked.class, m -> {
          recovery.sendSuccessors(lost, m.values());
          return recoveringUntilWhole(update, lost);
        })
        .onMessage(RingReport.class, m -> decodeOnCompletion(m.outcome(), update)) // the lost one may be back
        .onMessage(StepFailed.class, this::onStepFailed).build();
  }

  private Behavior<Command> sendSegmentsOf(long[] sum, List<String> lost) {
    recovery.sendFromWhole(lost, sum);
    return Behaviors.same();
  }

  private Behavior<Command> decoding(UpdateAt update, long[] sum, long bytesSent) {
    ModelState base = setup.base();
    AsyncWork.pipe(context, setup.crypto(), () -> setup.pipeline().decodeAndApply(sum, base), Decoded::new,
        e -> new StepFailed("decoding", e));
    List<Attestation> attestations = traffic.exchange() == null ? List.of() : traffic.exchange().peerAttestations()
        .stream().map(a -> new Attestation(a.encode())).toList();
    return state(Phase.DECODING)
        .onMessage(Decoded.class, m -> {
          setup.participant().tell(new Aggregated(setup.attempt(), m.applied(), System.nanoTime() - update.nanos(),
              bytesSent, attestations));
          return waitingForCommit(sum);
        })
        .onMessage(StepFailed.class, this::onStepFailed)
        .onMessage(Recover.class, m -> sendSegmentsOf(sum, m.lost()))
        .onMessage(FromPeer.class, this::hold).build();
  }

  /** The result is the participant's now; the session only waits to be stopped (or serves a recovery). */
  private Behavior<Command> waitingForCommit(long[] sum) {
    return state(Phase.WAITING_FOR_COMMIT)
        .onMessage(Recover.class, m -> sendSegmentsOf(sum, m.lost()))
        .onMessage(FromPeer.class, this::hold).build();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A state's receive: its phase on request, the ring's cancel on stop, and peers' messages held for later (a state
   * that acts on them matches them first); what no case matches is unhandled.
   */
  private BehaviorBuilder<Command> state(Phase phase) {
    return Behaviors.receive(Command.class)
        .onMessage(ReportPhase.class, m -> {
          m.replyTo().tell(phase);
          return Behaviors.same();
        })
        .onSignal(PostStop.class, s -> {
          setup.ring().tell(new RingAllReduce.Cancel(setup.attempt()));
          return Behaviors.same();
        });
  }

  private Behavior<Command> hold(FromPeer peer) {
    traffic.take(peer.message());
    traffic.advance(); // a late attestation still lets this member reveal after it has unmasked
    return Behaviors.same();
  }

  private Behavior<Command> onStepFailed(StepFailed failed) {
    // Encoding refuses NaN, infinities and out-of-bound updates before anything leaves this node; decoding refuses
    // a sum out of bounds (somebody summed garbage, and every member sees the same sum).
    if (AsyncWork.cause(failed.error()) instanceof UndecodableSumException) {
      return fail("the sum does not decode: " + AsyncWork.describe(failed.error()), FailureKind.UNDECODABLE_SUM);
    }
    return fail(failed.step() + " failed: " + AsyncWork.describe(failed.error()));
  }

  private Behavior<Command> fail(String reason) {
    return fail(reason, FailureKind.OTHER);
  }

  private Behavior<Command> fail(String reason, FailureKind kind) {
    context.getLog().error("{}: {}", setup.attempt(), reason);
    setup.participant().tell(new Failed(setup.attempt(), reason, kind));
    return Behaviors.stopped();
  }
}
