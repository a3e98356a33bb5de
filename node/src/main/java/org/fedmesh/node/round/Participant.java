package org.fedmesh.node.round;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.checkpoint.CheckpointStore;
import org.fedmesh.node.membership.CertifiedMembers;
import org.fedmesh.node.membership.CoordinatorHost;
import org.fedmesh.node.round.LiveAttempt.Pending;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.CatchUpProtocol.FetchModel;
import org.fedmesh.protocols.RoundProtocol.AbortAttempt;
import org.fedmesh.protocols.RoundProtocol.RecoverAttempt;
import org.fedmesh.protocols.RoundProtocol.Aggregated;
import org.fedmesh.protocols.RoundProtocol.AttemptFailed;
import org.fedmesh.protocols.RoundProtocol.CommitFailed;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.FailureKind;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.QueryStatus;
import org.fedmesh.protocols.RoundProtocol.ReportRingLinks;
import org.fedmesh.protocols.RoundProtocol.ResultSignature;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.RoundCommitted;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.Sealable;
import org.fedmesh.protocols.RoundProtocol.StartRound;
import org.fedmesh.protocols.SelfMaskProtocol.PeerMessage;

/**
 * One member's side of every round: the lifecycle of its model. It holds the committed model, the result of the
 * attempt in flight (pending until a commit certificate proves the ring signed it), and the update trained for the
 * next round, which outlives attempts: a retry with the survivors costs one more all-reduce, not another training.
 * It adopts a model only on a certificate {@link CommitVerifier} accepts, never on a coordinator's or peer's word.
 *
 * <p>The steps of an attempt run in an {@link AttemptSession} child and fetching a model from a peer in a
 * {@link CatchUpSession} child ({@link CatchUps}); ending either stops the child, so nothing a dead attempt still
 * produces can reach this state. Training runs on its own dispatcher and checkpoints on the blocking one; a commit
 * is acknowledged only once its checkpoint is written.
 *
 * <p>It acts on a coordinator message (StartRound, RoundKeys, CommitRound, AbortAttempt, CatchUp) only when the
 * message is sealed by the member that hosts the coordinator in this member's view ({@link CoordinatorGate}), and
 * seals everything it answers, so the coordinator knows who answered.
 */
public final class Participant extends AbstractBehavior<ParticipantCommand> {
  public static final ServiceKey<ParticipantCommand> KEY =
      ServiceKey.create(ParticipantCommand.class, "fedmesh-participant");

  /** What a participant needs besides its settings; {@code sharedSettings} is its own settings' fingerprint. */
  public record Setup(String nodeId, MemberIdentity identity, LocalUpdates updates, AggregationPipeline pipeline,
                      boolean secureRequired, boolean allowUnsafeTwoParty, Optional<CheckpointStore> checkpoints,
                      ActorRef<AllReduceProtocol.Command> ring, int modelPartFloats,
                      Map<String, String> sharedSettings, CommitListener listener) {}

  private record Trained(long round, String baseHash, LocalUpdates.LocalUpdate update) implements ParticipantCommand {}

  private record TrainingFailed(long round, String baseHash, Throwable error) implements ParticipantCommand {}

  private record SessionReport(AttemptSession.Outcome outcome) implements ParticipantCommand {}

  private record CatchUpReport(CatchUpSession.Outcome outcome) implements ParticipantCommand {}

  private enum RingStopped implements ParticipantCommand { INSTANCE }

  private final Setup setup;
  private final Executor training;
  private final Executor crypto;
  private final CheckpointWrites checkpoints;
  private final CommitVerifier verifier;
  private final ActorRef<AttemptSession.Outcome> sessionReports;
  private final CatchUps catchUps;
  private final ControlSeals seals;
  private final CoordinatorGate gate;
  private final RoundAdmission admission;
  private final ActorRef<RingLinkReporter.Command> linkReporter;
  /** The acknowledgement of the committed round, sent again as it is: a replayed commit costs no signature. */
  private Optional<RoundCommitted> acknowledged = Optional.empty();
  private ModelState committed;
  /** The certificate of {@link #committed}; null at round 0 and when the journal lost it. */
  private CommitProof committedProof;
  private Optional<Pending> pending = Optional.empty();
  private final TrainedUpdates updates = new TrainedUpdates();
  /** The latest uncommitted attempt whose sum may be known (a seed was revealed in it; see MemberStatus). */
  private AttemptId revealedAttempt;
  private Optional<LiveAttempt> live = Optional.empty();
  private Optional<AttemptId> writingCommit = Optional.empty();
  private Optional<String> ringDown = Optional.empty();
  private long sessions;

  /**
   * A cluster member: a commit certificate needs a majority of the cluster's trainer members, and the coordinator
   * is the singleton on the oldest trainer member.
   */
  public static Behavior<ParticipantCommand> create(Setup setup, ModelState initial) {
    return create(setup, initial, ConsortiumSize.CLUSTER_TRAINERS, CoordinatorHost.CLUSTER_OLDEST);
  }

  /** {@code host}: whose seal a coordinator message must carry, as this member sees it. */
  public static Behavior<ParticipantCommand> create(Setup setup, ModelState initial, ConsortiumSize size,
                                                    CoordinatorHost host) {
    return Behaviors.setup(context -> new Participant(context, setup, initial, size, host));
  }

  private Participant(ActorContext<ParticipantCommand> context, Setup setup, ModelState initial,
                      ConsortiumSize size, CoordinatorHost host) {
    super(context);
    this.seals = ControlSeals.of(context.getSystem(), setup.identity());
    this.gate = new CoordinatorGate(seals, () -> host.nodeId(context.getSystem()), context.getLog());
    this.admission = new RoundAdmission(setup.nodeId(), gate, seals,
        CertifiedMembers.get(context.getSystem())::nodeIdAt);
    this.setup = setup;
    this.committed = initial;
    this.training = context.getSystem().dispatchers()
        .lookup(DispatcherSelector.fromConfig("fedmesh.training-dispatcher"));
    this.crypto = context.getSystem().dispatchers()
        .lookup(DispatcherSelector.fromConfig("fedmesh.crypto-dispatcher"));
    this.checkpoints = new CheckpointWrites(context, setup.checkpoints(),
        context.getSystem().dispatchers().lookup(DispatcherSelector.blocking()), setup.nodeId(), setup.listener());
    this.verifier = new CommitVerifier(setup.identity(), () -> size.members(context.getSystem()));
    this.committedProof = checkpoints.journaledProof(initial);
    this.catchUps = new CatchUps(context, verifier, setup.pipeline().parameterCount(),
        context.messageAdapter(CatchUpSession.Outcome.class, CatchUpReport::new));
    this.sessionReports = context.messageAdapter(AttemptSession.Outcome.class, SessionReport::new);
    context.watchWith(setup.ring(), RingStopped.INSTANCE);
    this.linkReporter = context.spawn(RingLinkReporter.create(setup.nodeId(), setup.ring(), seals), "ring-links");
    context.getLog().info("Participant {} holds {}", setup.nodeId(), initial);
  }

  @Override
  public Receive<ParticipantCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(QueryStatus.class, this::onQueryStatus)
        .onMessage(StartRound.class, this::onStartRound)
        .onMessage(Trained.class, this::onTrained)
        .onMessage(TrainingFailed.class, this::onTrainingFailed)
        .onMessage(RoundKeys.class, this::onRoundKeys)
        .onMessage(PeerMessage.class, m -> { // opened (or refused) by the session with the pair key of its sender
          live.filter(l -> l.id().equals(m.attempt())).ifPresent(l -> l.session().tell(new AttemptSession.FromPeer(m)));
          return this;
        })
        .onMessage(SessionReport.class, m -> onSessionReport(m.outcome()))
        .onMessage(CommitRound.class, this::onCommitRound)
        .onMessage(AbortAttempt.class, this::onAbortAttempt)
        .onMessage(RecoverAttempt.class, this::onRecoverAttempt)
        .onMessage(ReportRingLinks.class, query -> {
          linkReporter.tell(new RingLinkReporter.Report(query));
          return this;
        })
        .onMessage(CatchUp.class, this::onCatchUp)
        .onMessage(CatchUpReport.class, m -> onCatchUpReport(m.outcome()))
        .onMessage(FetchModel.class, this::onFetchModel)
        .onMessage(CheckpointWrites.Finished.class, this::onWriteFinished)
        .onMessage(RingStopped.class, m -> onRingStopped())
        .build(); // model parts and refusals go to the catch-up session that asked; here they are unhandled
  }

  private Behavior<ParticipantCommand> onQueryStatus(QueryStatus query) {
    query.replyTo().tell(seal(new MemberStatus(new RingMember(setup.nodeId(), getContext().getSelf(), setup.ring()),
        committed.round(), committed.hash(), committedProof, pending.map(Pending::attempt).orElse(null),
        pending.map(p -> p.state().hash()).orElse(null), pending.map(Pending::signature).orElse(null),
        revealedAttempt, admission.lastTaken(), pending.map(Pending::attestations).orElse(List.of()),
        // the ring only while its session lives: only then can this member still complete that attempt
        live.filter(l -> l.id().equals(revealedAttempt))
            .map(l -> l.start().ring().stream().map(RingMember::nodeId).toList()).orElse(List.of()))
        .askedBy(query.replyTo())));
    return this;
  }

  // ---------------------------------------------------------------- attempts

  private Behavior<ParticipantCommand> onStartRound(StartRound start) {
    AttemptId id = start.attempt();
    OptionalInt admitted = admission.admit(start, getContext().getSelf(),
        () -> ringDown.or(() -> RoundRules.refusal(start, setup, committed)));
    if (admitted.isEmpty()) {
      return this;
    }
    int myIndex = admitted.getAsInt();
    endAttempt();
    pending = Optional.empty(); // a new attempt means the previous one was not committed
    ActorRef<AttemptSession.Command> session = getContext().spawn(AttemptSession.create(new AttemptSession.Setup(
            setup.nodeId(), setup.identity(), start, myIndex, committed, setup.pipeline(), setup.ring(), crypto,
            sessionReports, seals)),
        "attempt-" + id.round() + "-" + id.attempt() + "-" + (++sessions));
    live = Optional.of(new LiveAttempt(start, session));
    if (updates.spentBy(revealedAttempt, id.round())) { // what this member saw decides, nobody's word
      getContext().getLog().info("{}: training again: the sum of {} may be known", id, revealedAttempt);
    }
    Optional<LocalUpdates.LocalUpdate> reusable = updates.reusable(id.round(), committed.hash());
    setup.listener().attemptStarted(setup.nodeId(), id, start.ring().size(), reusable.isEmpty()); // before training
    if (reusable.isPresent()) {
      getContext().getLog().info("{}: reusing the update trained for round {}", id, id.round());
      session.tell(new AttemptSession.UpdateReady(reusable.get()));
    } else if (!updates.isTraining(id.round(), committed.hash())) {
      long round = id.round();
      String baseHash = committed.hash();
      float[] global = committed.parameters();
      updates.started(round, baseHash);
      AsyncWork.pipe(getContext(), training, () -> setup.updates().train(global, round),
          update -> new Trained(round, baseHash, update), error -> new TrainingFailed(round, baseHash, error));
    }
    return this;
  }

  private boolean trainedForNextRound(long round, String baseHash) {
    return round == committed.round() + 1 && baseHash.equals(committed.hash());
  }

  private Behavior<ParticipantCommand> onTrained(Trained trained) {
    updates.stopped();
    if (trainedForNextRound(trained.round(), trained.baseHash())) {
      updates.finished(trained.round(), trained.baseHash(), trained.update());
      live.filter(a -> a.id().round() == trained.round())
          .ifPresent(a -> a.session().tell(new AttemptSession.UpdateReady(trained.update())));
    }
    return this;
  }

  private Behavior<ParticipantCommand> onTrainingFailed(TrainingFailed failed) {
    updates.stopped();
    if (trainedForNextRound(failed.round(), failed.baseHash())) {
      getContext().getLog().error("Local training for round {} failed", failed.round(), failed.error());
      live.filter(a -> a.id().round() == failed.round()).ifPresent(a -> a.session().tell(
          new AttemptSession.TrainingFailed(AsyncWork.describe(failed.error()))));
    }
    return this;
  }

  private Behavior<ParticipantCommand> onRoundKeys(RoundKeys keys) {
    if (gate.refusal(keys, "RoundKeys for " + keys.attempt(), null).isPresent()) {
      return this;
    }
    Optional<LiveAttempt> a = live.filter(l -> l.id().equals(keys.attempt()));
    if (a.isEmpty()) {
      gate.warnOnce("keys|" + keys.attempt(), "Dropped keys for " + keys.attempt() + ": not the attempt in flight ("
          + live.map(l -> l.id().toString()).orElse("none") + ")");
    }
    a.ifPresent(l -> l.session().tell(new AttemptSession.Keys(keys)));
    return this;
  }

  private Behavior<ParticipantCommand> onSessionReport(AttemptSession.Outcome outcome) {
    if (outcome instanceof AttemptSession.SumRevealed) {
      revealedAttempt = outcome.attempt(); // true of a dead attempt too: its retry must not reuse the updates
      return this;
    }
    Optional<LiveAttempt> a = live.filter(l -> l.id().equals(outcome.attempt()));
    if (a.isEmpty()) {
      return this; // reported just before its session was stopped
    }
    ActorRef<CoordinatorCommand> coordinator = a.get().start().coordinator();
    if (outcome instanceof AttemptSession.Failed failed) {
      live = Optional.empty(); // the session stopped itself
      coordinator.tell(seal(new AttemptFailed(failed.attempt(), setup.nodeId(), failed.reason(), failed.kind())));
    } else if (outcome instanceof AttemptSession.Aggregated done) {
      ModelState next = done.applied().next();
      ResultSignature signature = verifier.sign(a.get().start(), next.hash());
      pending = Optional.of(new Pending(done.attempt(), next, done.applied().sum(), signature, done.attestations()));
      setup.listener().resultSigned(setup.nodeId(), done.attempt(), done.aggregationNanos());
      coordinator.tell(seal(new Aggregated(done.attempt(), setup.nodeId(), next.hash(),
          done.applied().sum().meanLoss(), done.applied().sum().totalSamples(), done.aggregationNanos(), signature,
          done.attestations())));
    }
    return this;
  }

  private Behavior<ParticipantCommand> onCommitRound(CommitRound commit) {
    if (gate.refusal(commit, "CommitRound for " + commit.attempt(), path(commit.replyTo())).isPresent()) {
      return this;
    }
    Optional<Pending> p = pending.filter(x -> x.attempt().equals(commit.attempt())
        && x.state().hash().equals(commit.modelHash()));
    if (writingCommit.equals(Optional.of(commit.attempt()))) {
      getContext().getLog().debug("Commit of {} repeated while its checkpoint is being written", commit.attempt());
    } else if (p.isPresent()) {
      Optional<String> refusal = verifier.commitRefusal(commit.certificate(), p.get().signature(), committed.hash());
      if (refusal.isPresent()) {
        getContext().getLog().warn("Refused the commit of {} from {}: {}; {} keeps round {}", commit.attempt(),
            commit.replyTo().path(), refusal.get(), setup.nodeId(), committed.round());
        return this;
      }
      endAttempt();
      writingCommit = Optional.of(commit.attempt());
      ModelState next = p.get().state();
      var sum = p.get().sum(); // the loss and the secure evaluation the listener is told of
      checkpoints.write(next, CheckpointStore.Source.COMMIT, commit.certificate(), () -> {
        if (next.round() <= committed.round()) { // caught up to a later round meanwhile
          commit.replyTo().tell(seal(new CommitFailed(commit.attempt(), setup.nodeId(), "it holds round "
              + committed.round() + " already")));
          return;
        }
        adopt(next, commit.certificate());
        getContext().getLog().info("Committed round {} ({}), mean training loss {}", next.round(),
            next.shortHash(), String.format("%.4f", sum.meanLoss()));
        setup.listener().committed(setup.nodeId(), next, sum);
        acknowledged = Optional.of(seal(new RoundCommitted(commit.attempt(), setup.nodeId(), next.hash())));
        commit.replyTo().tell(acknowledged.get());
      }, reason -> commit.replyTo().tell(seal(new CommitFailed(commit.attempt(), setup.nodeId(), reason))));
    } else if (commit.attempt().round() == committed.round() && commit.modelHash().equals(committed.hash())) {
      // A coordinator that took over re-sends commits it cannot know were applied: acknowledge again.
      RoundCommitted ack = new RoundCommitted(commit.attempt(), setup.nodeId(), committed.hash());
      acknowledged = acknowledged.filter(a -> a.withSeal(null).equals(ack)).or(() -> Optional.of(seal(ack)));
      commit.replyTo().tell(acknowledged.get());
    } else {
      gate.warnOnce("commit|" + commit.attempt() + "|" + commit.modelHash(), "Ignored a commit for "
          + commit.attempt() + " (" + RoundRules.abbreviate(commit.modelHash())
          + "): this node holds no such pending model");
    }
    return this;
  }

  private Behavior<ParticipantCommand> onAbortAttempt(AbortAttempt abort) {
    if (gate.refusal(abort, "AbortAttempt for " + abort.attempt(), null).isPresent()) {
      return this;
    }
    setup.listener().attemptAborted(setup.nodeId(), abort.attempt(), AbortReason.of(abort.reason()), abort.reason());
    if (live.filter(l -> l.id().equals(abort.attempt())).isPresent()) {
      getContext().getLog().info("Abandoned {}: {}", abort.attempt(), abort.reason());
      endAttempt();
    }
    pending = pending.filter(p -> !p.attempt().equals(abort.attempt()));
    return this;
  }

  /**
   * With a seed revealed in the attempt, the session takes it (and recovers only once it revealed its own); with
   * none, the masked sum did not form everywhere and nothing can be completed: this member says so at once, so the
   * coordinator retries without waiting for its deadline.
   */
  private Behavior<ParticipantCommand> onRecoverAttempt(RecoverAttempt recover) {
    if (gate.refusal(recover, "RecoverAttempt for " + recover.attempt(), null).isPresent()) {
      return this;
    }
    live.filter(l -> l.id().equals(recover.attempt())).ifPresent(l -> {
      if (recover.attempt().equals(revealedAttempt)) {
        l.session().tell(new AttemptSession.Recover(recover.lost()));
      } else {
        l.start().coordinator().tell(seal(new AttemptFailed(l.id(), setup.nodeId(), "cannot complete it without "
            + recover.lost() + ": no self-mask seed was revealed in it here", FailureKind.OTHER)));
        endAttempt();
      }
    });
    return this;
  }

  private Behavior<ParticipantCommand> onRingStopped() {
    ringDown = Optional.of("the ring all-reduce endpoint of " + setup.nodeId() + " stopped; restart the member");
    getContext().getLog().error("{}", ringDown.get());
    live.ifPresent(a -> a.start().coordinator().tell(seal(new AttemptFailed(a.id(), setup.nodeId(),
        ringDown.get(), FailureKind.OTHER))));
    endAttempt();
    return this;
  }

  private <M extends Sealable<M>> M seal(M message) { return seals.seal(message); }

  private static String path(ActorRef<?> ref) { return ref == null ? "nobody" : ref.path().toString(); }
  private void endAttempt() {
    live.ifPresent(a -> getContext().stop(a.session()));
    live = Optional.empty();
  }

  // ---------------------------------------------------------------- catching up

  private Behavior<ParticipantCommand> onCatchUp(CatchUp catchUp) {
    if (gate.refusal(catchUp, "CatchUp to round " + catchUp.round(), path(catchUp.replyTo())).isPresent()) {
      return this;
    }
    catchUps.start(catchUp, committed);
    return this;
  }

  private Behavior<ParticipantCommand> onCatchUpReport(CatchUpSession.Outcome outcome) {
    catchUps.finished(outcome, committed).ifPresent(fetched -> {
      ModelState model = fetched.model();
      checkpoints.write(model, CheckpointStore.Source.CATCH_UP, fetched.certificate(), () -> {
        if (model.round() <= committed.round()) {
          return; // committed a later round meanwhile
        }
        adopt(model, fetched.certificate());
        getContext().getLog().info("Caught up: now holds round {} ({})", model.round(), model.shortHash());
        onQueryStatus(new QueryStatus(fetched.replyTo())); // the coordinator may wait for this member
        setup.listener().committed(setup.nodeId(), model, Double.NaN);
      }, reason -> { });
    });
    return this;
  }

  private Behavior<ParticipantCommand> onFetchModel(FetchModel request) {
    CatchUpSession.serve(request, committed, setup.modelPartFloats(), setup.nodeId());
    return this;
  }

  // ---------------------------------------------------------------- the committed model

  /** Makes {@code next}, proven by {@code proof}, the committed model; older work is void. */
  private void adopt(ModelState next, CommitProof proof) {
    endAttempt();
    catchUps.stop();
    committed = next;
    committedProof = proof;
    pending = Optional.empty();
    updates.discard();
    revealedAttempt = null;
  }

  private Behavior<ParticipantCommand> onWriteFinished(CheckpointWrites.Finished finished) {
    writingCommit = Optional.empty();
    finished.then().run();
    return this;
  }
}
