package org.fedmesh.node.round;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.fedmesh.node.NodeSettings.CoordinatorSettings;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.membership.CertifiedMembers;
import org.fedmesh.node.membership.CoordinatorHost;
import org.fedmesh.node.round.NextStep.AwaitCatchUp;
import org.fedmesh.node.round.NextStep.BringUpToDate;
import org.fedmesh.node.round.NextStep.CompleteInFlight;
import org.fedmesh.node.round.NextStep.RecoverInFlight;
import org.fedmesh.node.round.NextStep.Finished;
import org.fedmesh.node.round.NextStep.Pause;
import org.fedmesh.node.round.NextStep.PauseUndecodable;
import org.fedmesh.node.round.NextStep.StartAttempt;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.QueryStatus;
import org.fedmesh.protocols.RoundProtocol.RecoverAttempt;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/**
 * Runs rounds, one at a time, as a cluster singleton: it asks every participant where it stands, starts an
 * attempt with the members that hold the latest committed model, relays their signed keys, and commits the round
 * when every participant reports the same model hash. It handles control messages only; no vector ever reaches
 * it. It keeps no state a successor would need: before every round it asks the members again. What to do after a
 * survey is decided by {@link RoundPlanner}; this actor carries it out.
 *
 * <p>States, one method each: {@link #pausing} (too few members, or a backoff after a failed attempt),
 * {@link #surveying} (collecting member statuses), {@link #awaitingCatchUp} (members behind fetch the latest
 * model; once per round), {@link #attempting} (an {@link AttemptRun} child runs the attempt, in two states of its
 * own: collecting readiness and aggregating), {@link #committing} (a {@link CommitRun} child waits for the
 * acknowledgements) and {@link #finished} (all rounds committed). Each attempt and each commit runs in a child that
 * lives only as long as it does, so that a late message of one that ended reaches dead letters, not live state.
 */
public final class RoundCoordinator {

  /** The cluster role of members that train; every fedmesh member has it. */
  public static final String TRAINER_ROLE = CoordinatorHost.TRAINER_ROLE;

  /** Sent by the singleton manager when this node hands the coordinator over. */
  public enum Stop implements CoordinatorCommand { INSTANCE }

  private record ListingChanged(Receptionist.Listing listing) implements CoordinatorCommand {}

  /** The membership guard verified or dropped a member: who counts changed without a listing change. */
  private record CertificationChanged(CertifiedMembers.Changed change) implements CoordinatorCommand {}

  /**
   * The current phase's timer. One key for all phases: starting a timer cancels the previous one, and Pekko drops
   * a cancelled timer's message even when already queued, so a tick always belongs to the current phase.
   */
  private enum Timeout implements CoordinatorCommand { INSTANCE }

  private static final String TIMER = "phase";

  private final ActorContext<CoordinatorCommand> context;
  private final TimerScheduler<CoordinatorCommand> timers;
  private final CoordinatorSettings settings;
  private final long rounds;
  private final boolean secure;
  private final Map<String, String> sharedSettings;
  private final SecureRandom random = new SecureRandom();
  private final ControlSeals seals;
  private final StatusCheck statuses;

  private Set<ActorRef<ParticipantCommand>> reachable = Set.of();
  private RoundHistory history = RoundHistory.EMPTY;
  private String lastPauseReason;
  /** A participant registered or was certified since the last survey began: it was not asked. */
  private boolean membershipMoved;
  /** Numbers children apart: the same attempt may be committed twice, before the first child's name is free. */
  private long children;

  /**
   * {@code sharedSettings}: this member's {@link org.fedmesh.node.SharedSettings#fingerprint}, sent in StartRound.
   * {@code host}: the identity of the member this singleton runs on; it seals every message the coordinator sends
   * (members act only on messages the host in their view sealed), and its CA certificate verifies the members'.
   */
  public static Behavior<CoordinatorCommand> create(CoordinatorSettings settings, long rounds, boolean secure,
                                                    Map<String, String> sharedSettings, MemberIdentity host) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new RoundCoordinator(context, timers, settings, rounds, secure, sharedSettings,
            ControlSeals.of(context.getSystem(), host)).start()));
  }

  private RoundCoordinator(ActorContext<CoordinatorCommand> context, TimerScheduler<CoordinatorCommand> timers,
                           CoordinatorSettings settings, long rounds, boolean secure,
                           Map<String, String> sharedSettings, ControlSeals seals) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.rounds = rounds;
    this.secure = secure;
    this.sharedSettings = Map.copyOf(sharedSettings);
    this.seals = seals;
    this.statuses = new StatusCheck(seals, context.getSelf(), CertifiedMembers.get(context.getSystem())::nodeIdAt,
        context.getLog());
  }

  private Behavior<CoordinatorCommand> start() {
    ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, ListingChanged::new);
    context.getSystem().receptionist().tell(Receptionist.subscribe(Participant.KEY, listings));
    context.getSystem().eventStream().tell(new EventStream.Subscribe<>(CertifiedMembers.Changed.class,
        context.messageAdapter(CertifiedMembers.Changed.class, CertificationChanged::new)));
    context.getLog().info("Round coordinator started on {} ({} aggregation, {} rounds)",
        context.getSystem().address(), secure ? "secure" : "PLAIN", rounds == 0 ? "unlimited" : rounds);
    return pausing("waiting for participants");
  }

  // ---------------------------------------------------------------- pausing

  /**
   * Too few members (or a backoff after a failed attempt): survey again after the backoff or when enough members
   * are reachable and certified (the guard verifies members after they register, so that is a change of its own).
   */
  private Behavior<CoordinatorCommand> pausing(String reason) {
    if (!reason.equals(lastPauseReason)) {
      context.getLog().info("Paused: {}", reason);
      lastPauseReason = reason;
    }
    timers.startSingleTimer(TIMER, Timeout.INSTANCE, settings.retryBackoff());
    return phase(Behaviors.receive(CoordinatorCommand.class)
        .onMessage(ListingChanged.class, m -> {
          noteListing(m);
          return certified().size() >= settings.minParticipants() ? surveying() : Behaviors.same();
        })
        .onMessage(CertificationChanged.class, m -> certified().size() >= settings.minParticipants() ? surveying()
            : Behaviors.same())
        .onMessage(Timeout.class, t -> certified().size() >= settings.minParticipants() ? surveying()
            : pausing(reason)));
  }

  // ---------------------------------------------------------------- surveying

  private Behavior<CoordinatorCommand> surveying() {
    membershipMoved = false;
    Set<ActorRef<ParticipantCommand>> asked = certified();
    Map<ActorRef<ParticipantCommand>, MemberStatus> replies = new HashMap<>();
    asked.forEach(p -> p.tell(new QueryStatus(context.getSelf())));
    timers.startSingleTimer(TIMER, Timeout.INSTANCE, settings.surveyTimeout());
    return phase(Behaviors.receive(CoordinatorCommand.class)
        .onMessage(MemberStatus.class, status -> {
          if (asked.contains(status.member().participant()) && statuses.accepts(status)) {
            replies.put(status.member().participant(), status);
          }
          return replies.size() == asked.size() ? decide(replies.values()) : Behaviors.same();
        })
        .onMessage(Timeout.class, t -> decide(replies.values()))
        .onMessage(CertificationChanged.class, m -> { membershipMoved = true; return Behaviors.same(); })
        .onMessage(ListingChanged.class, this::noteListing));
  }

  private Behavior<CoordinatorCommand> decide(Collection<MemberStatus> statuses) {
    NextStep step = RoundPlanner.next(statuses, history, ConsortiumSize.trainers(context.getSystem()),
        settings.minParticipants(), rounds, settings.maxGarbageAttempts());
    CoordinatorAlerts.findings(context.getLog(), step.findings());
    return carryOut(step);
  }

  private Behavior<CoordinatorCommand> carryOut(NextStep step) {
    if (step instanceof Pause p) {
      return pausing(p.reason());
    } else if (step instanceof PauseUndecodable u) {
      return pausedForGarbage(u);
    } else if (step instanceof CompleteInFlight c) {
      context.getLog().info("Completing {}: {} of {} members hold its result {}", c.attempt(), c.ring().size(),
          c.currentMembers(), c.resultHash().substring(0, 12));
      return committing(c.attempt(), c.ring(), c.resultHash(), c.certificate());
    } else if (step instanceof RecoverInFlight r) {
      // The survivors exchange segments and decode; the next survey finds them holding the result.
      context.getLog().info("{}: its sum may be known and {} are gone; telling {} to complete it", r.attempt(),
          r.lost(), r.survivors().stream().map(RingMember::nodeId).toList());
      history = history.withRecovery(r.attempt());
      RecoverAttempt recover = seals.seal(new RecoverAttempt(r.attempt(), r.lost()));
      r.survivors().forEach(m -> m.participant().tell(recover));
      return pausing("completing " + r.attempt() + " without " + r.lost());
    } else if (step instanceof BringUpToDate b) {
      CoordinatorAlerts.bringUpToDate(context.getLog(), b, seals, context.getSelf());
      return carryOut(b.then());
    } else if (step instanceof AwaitCatchUp a) {
      history = history.withCatchUpWaitBefore(a.round() + 1);
      return awaitingCatchUp(a.nodeIds(), a.round());
    } else if (step instanceof StartAttempt s) {
      return startAttempt(s);
    } else if (step instanceof Finished f) {
      return finished(f.round(), f.hash(), f.membersBehind());
    }
    throw new IllegalStateException("unknown step " + step);
  }

  /** Waits (at most a survey timeout) for members fetching the latest model to report it, then surveys again. */
  private Behavior<CoordinatorCommand> awaitingCatchUp(Set<String> members, long latest) {
    Set<String> waiting = new HashSet<>(members);
    timers.startSingleTimer(TIMER, Timeout.INSTANCE, settings.surveyTimeout());
    return phase(Behaviors.receive(CoordinatorCommand.class)
        .onMessage(MemberStatus.class, status -> {
          if (status.committedRound() >= latest && statuses.accepts(status)) {
            waiting.remove(status.member().nodeId());
          }
          return waiting.isEmpty() ? surveying() : Behaviors.same();
        })
        .onMessage(Timeout.class, t -> surveying())
        .onMessage(ListingChanged.class, this::noteListing));
  }

  // ---------------------------------------------------------------- one attempt

  private Behavior<CoordinatorCommand> startAttempt(StartAttempt step) {
    if (!step.leftOut().isEmpty()) {
      context.getLog().info("Round {} goes on without {}, who missed a deadline", step.round(), step.leftOut());
    }
    List<String> ringIds = step.ring().stream().map(RingMember::nodeId).toList();
    for (String node : history.readmitted(step.round(), ringIds)) {
      context.getLog().info("{} is readmitted in round {}: it sat out after {} missed deadline(s) in a row and"
          + " answered the status survey in time; another miss doubles its wait", node, step.round(),
          history.benched().get(node).misses());
    }
    history = history.withAttempt(step.round(), step.attempt());
    lastPauseReason = null;
    AttemptId id = AttemptId.fresh(step.round(), step.attempt(), random);
    List<RingMember> ring = step.ring();
    context.getLog().info("Starting {} with {} participants: {}", id, ring.size(),
        ring.stream().map(RingMember::nodeId).toList());
    ActorRef<CoordinatorCommand> run = context.spawn(AttemptRun.create(
            me -> new StartRound(id, ring, step.baseHash(), secure, sharedSettings, me),
            settings.roundDeadline(), settings.surveyTimeout(), context.getSelf().narrow(), seals),
        "attempt-" + id.round() + "-" + id.attempt() + "-" + ++children);
    timers.cancel(TIMER); // the attempt keeps its own deadline
    return attempting(id, ring, run);
  }

  /** An {@link AttemptRun} child runs the attempt; this phase waits for its outcome or a lost member. */
  private Behavior<CoordinatorCommand> attempting(AttemptId id, List<RingMember> ring,
                                                  ActorRef<CoordinatorCommand> run) {
    return phase(Behaviors.receive(CoordinatorCommand.class)
        .onMessage(AttemptRun.Agreed.class, m -> m.attempt().equals(id)
            ? committing(id, ring, m.modelHash(), m.certificate()) : Behaviors.same())
        .onMessage(AttemptRun.Abandoned.class, m -> m.attempt().equals(id) ? abandoned(id, m.reason())
            : Behaviors.same())
        .onMessage(AttemptRun.SumUndecodable.class, m -> m.attempt().equals(id) ? undecodable(m) : Behaviors.same())
        .onMessage(AttemptRun.DeadlinePassed.class, m -> {
          if (!m.attempt().equals(id)) {
            return Behaviors.same();
          }
          context.getLog().warn("{}: deadline of {} s passed{}", id, settings.roundDeadline().toSeconds(),
              m.behind().isEmpty() ? "; retrying" : ", still waiting for " + m.behind().stream().sorted().toList()
                  + "; retrying without them");
          history = history.withExcluded(id.round(), m.behind());
          m.behind().stream().sorted().forEach(node -> context.getLog().warn("{} missed {} deadline(s) in a row: left"
              + " out until round {} is done", node, history.benched().get(node).misses(),
              history.benched().get(node).untilRound()));
          return surveying();
        })
        .onMessage(ListingChanged.class, m -> {
          noteListing(m);
          List<String> gone = ring.stream().filter(p -> !reachable.contains(p.participant()))
              .map(RingMember::nodeId).toList();
          if (gone.isEmpty()) {
            return Behaviors.same();
          }
          // No abort: the survivors may complete the attempt without them, or hold the result already.
          run.tell(new AttemptRun.ParticipantsLost(Set.copyOf(gone), ConsortiumSize.trainers(context.getSystem())));
          return Behaviors.same();
        })
        .onMessage(AttemptRun.Incomplete.class, m -> {
          if (!m.attempt().equals(id)) {
            return Behaviors.same(); // an earlier attempt's child, stopping: not this attempt's news
          }
          context.getLog().warn("{}: {}; asking the members where they stand", id, m.reason());
          return surveying();
        }));
  }

  private Behavior<CoordinatorCommand> abandoned(AttemptId id, String reason) {
    context.getLog().warn("Abandoning {}: {}", id, reason);
    int attempts = history.attempts(id.round());
    if (attempts % settings.maxAttemptsPerRound() == 0) {
      // Keeps retrying (members may come back), but an operator should look.
      context.getLog().error("Round {} has failed {} attempts; still retrying", id.round(), attempts);
    }
    return pausing("retrying round " + id.round() + " after: " + reason);
  }

  /**
   * Nobody can tell whose values made the sum undecodable without seeing the others' updates, so nobody is named:
   * not the reporter (every member holds the same sum), not anyone else. A retry gets fresh masks; the planner
   * stops retrying after the configured number in a row.
   */
  private Behavior<CoordinatorCommand> undecodable(AttemptRun.SumUndecodable m) {
    CoordinatorAlerts.undecodable(context.getLog(), m);
    history = history.withUndecodable(m.attempt().round(), Set.copyOf(m.participants()));
    return pausing("retrying round " + m.attempt().round() + " after a sum that did not decode");
  }

  /**
   * Stopped training: the same participants summed garbage too often. Only the operators can find the culprit.
   * Surveys again when the membership changes (a revoked member leaves the ring) or after the long backoff, which
   * allows one more attempt.
   */
  private Behavior<CoordinatorCommand> pausedForGarbage(PauseUndecodable u) {
    String reason = "undecodable " + u.round() + " " + u.participants();
    if (!reason.equals(lastPauseReason)) {
      CoordinatorAlerts.garbagePause(context.getLog(), u, settings.garbageBackoff());
      lastPauseReason = reason;
    }
    timers.startSingleTimer(TIMER, Timeout.INSTANCE, settings.garbageBackoff());
    return phase(Behaviors.receive(CoordinatorCommand.class)
        .onMessage(ListingChanged.class, m -> {
          noteListing(m);
          return surveying();
        })
        .onMessage(CertificationChanged.class, m -> surveying())
        .onMessage(Timeout.class, t -> {
          history = history.withUndecodableRetryAllowed();
          return surveying();
        }));
  }

  // ---------------------------------------------------------------- committing

  /** A {@link CommitRun} child sends the commit and waits for the acknowledgements; this phase waits for it. */
  private Behavior<CoordinatorCommand> committing(AttemptId id, List<RingMember> ring, String hash,
                                                  CommitProof certificate) {
    context.spawn(CommitRun.create(id, ring, hash, certificate, settings.roundDeadline(), context.getSelf().narrow(),
            seals),
        "commit-" + id.round() + "-" + id.attempt() + "-" + ++children);
    timers.cancel(TIMER); // the commit keeps its own deadline
    return phase(Behaviors.receive(CoordinatorCommand.class)
        .onMessage(CommitRun.Committed.class, m -> m.attempt().equals(id) ? committed(id, ring) : Behaviors.same())
        // Nobody holds the round: retry after the backoff rather than at once, in case writes keep failing.
        .onMessage(CommitRun.NotCommitted.class, m -> m.attempt().equals(id)
            ? pausing("no member acknowledged the commit of round " + id.round()) : Behaviors.same())
        .onMessage(ListingChanged.class, this::noteListing));
  }

  private Behavior<CoordinatorCommand> committed(AttemptId id, List<RingMember> ring) {
    context.getLog().info("Committed round {}", id.round());
    history = history.committed(id.round(), ring.stream().map(RingMember::nodeId).collect(Collectors.toSet()));
    return surveying();
  }

  // ---------------------------------------------------------------- finished

  /**
   * All rounds are committed; members that join, are certified or come back later are still brought up to date,
   * and while some are catching up, a survey after each survey timeout (as while training) checks that they got
   * there: a fetch can fail.
   */
  private Behavior<CoordinatorCommand> finished(long round, String hash, Set<String> membersBehind) {
    if (!("finished " + round).equals(lastPauseReason)) {
      context.getLog().info("Training complete: {} rounds committed, model {}", round, hash.substring(0, 12));
      lastPauseReason = "finished " + round;
    }
    if (membershipMoved) { // a member that came while the last survey ran was not asked (LateMemberTest, CI)
      return surveying();
    } else if (membersBehind.isEmpty()) {
      timers.cancel(TIMER);
    } else {
      timers.startSingleTimer(TIMER, Timeout.INSTANCE, settings.surveyTimeout());
    }
    return phase(Behaviors.receive(CoordinatorCommand.class)
        .onMessage(ListingChanged.class, m -> { noteListing(m); return surveying(); })
        .onMessage(CertificationChanged.class, m -> surveying())
        .onMessage(Timeout.class, t -> surveying()));
  }

  // ---------------------------------------------------------------- helpers

  /** For phases in which membership changes only need noting: the next survey looks at them. */
  private Behavior<CoordinatorCommand> noteListing(ListingChanged changed) {
    reachable = Set.copyOf(changed.listing().getServiceInstances(Participant.KEY));
    membershipMoved = true;
    return Behaviors.same();
  }

  /**
   * The reachable participants whose member the membership guard verified by certificate (all of them without
   * mutual TLS): only they are surveyed, so only they can be in a ring. Read at each use, since a member is
   * verified shortly after it registers.
   */
  private Set<ActorRef<ParticipantCommand>> certified() {
    return reachable.stream().filter(p -> CertifiedMembers.get(context.getSystem()).counts(p.path().address()))
        .collect(Collectors.toSet());
  }

  /** Completes a phase's behaviour with what every phase does: stop on hand-over, ignore what is not its own. */
  private Behavior<CoordinatorCommand> phase(BehaviorBuilder<CoordinatorCommand> own) {
    return own.onMessage(Stop.class, m -> Behaviors.stopped()).onAnyMessage(this::ignore).build();
  }

  private Behavior<CoordinatorCommand> ignore(CoordinatorCommand message) {
    context.getLog().debug("Ignored {} in this phase", message instanceof MemberStatus ? "a late status" : message);
    return Behaviors.same();
  }
}
