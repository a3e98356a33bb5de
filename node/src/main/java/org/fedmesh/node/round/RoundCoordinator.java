package org.fedmesh.node.round;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.fedmesh.node.NodeSettings.CoordinatorSettings;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.RoundProtocol.AbortAttempt;
import org.fedmesh.protocols.RoundProtocol.Aggregated;
import org.fedmesh.protocols.RoundProtocol.AttemptFailed;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.fedmesh.protocols.RoundProtocol.Contributed;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.KeyAdvert;
import org.fedmesh.protocols.RoundProtocol.Ready;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.QueryStatus;
import org.fedmesh.protocols.RoundProtocol.RoundCommitted;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/**
 * Runs rounds, one at a time, as a cluster singleton: it asks every participant where it stands, starts an
 * attempt with the members that hold the latest committed model, relays their signed keys, and commits the round
 * when every participant reports the same model hash. It handles control messages only; no vector ever reaches
 * it. It keeps no state a successor would need: before every round it asks the members again.
 *
 * <p>States, one method each: {@link #surveying} (collecting member statuses), {@link #inAttempt} (keys, then
 * hashes), {@link #committing} (waiting for acknowledgements), {@link #pausing} (too few members; waiting).
 */
public final class RoundCoordinator {

  /** The cluster role of members that train; every fedmesh member has it. */
  public static final String TRAINER_ROLE = "trainer";

  /** Sent by the singleton manager when this node hands the coordinator over. */
  public enum Stop implements CoordinatorCommand { INSTANCE }

  private record ListingChanged(Receptionist.Listing listing) implements CoordinatorCommand {}

  /** A timer firing; {@code generation} tells a stale timer from the current one. */
  private record Timeout(long generation) implements CoordinatorCommand {}

  private final ActorContext<CoordinatorCommand> context;
  private final TimerScheduler<CoordinatorCommand> timers;
  private final CoordinatorSettings settings;
  private final long rounds;
  private final boolean secure;
  private final Map<String, String> sharedSettings;
  private final SecureRandom random = new SecureRandom();

  private Set<ActorRef<ParticipantCommand>> reachable = Set.of();
  private long generation;
  private final Map<Long, Integer> attemptsPerRound = new HashMap<>();
  /** Members that missed a deadline in a round, left out of its retries; they catch up afterwards. */
  private final Map<Long, Set<String>> excluded = new HashMap<>();
  private String lastPauseReason;
  /** The round before which the coordinator last waited for members catching up (it waits once per round). */
  private long waitedForCatchUp;

  /** {@code sharedSettings}: this member's {@link org.fedmesh.node.SharedSettings#fingerprint}, sent in StartRound. */
  public static Behavior<CoordinatorCommand> create(CoordinatorSettings settings, long rounds, boolean secure,
                                                    Map<String, String> sharedSettings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new RoundCoordinator(context, timers, settings, rounds, secure, sharedSettings).start()));
  }

  private RoundCoordinator(ActorContext<CoordinatorCommand> context, TimerScheduler<CoordinatorCommand> timers,
                           CoordinatorSettings settings, long rounds, boolean secure,
                           Map<String, String> sharedSettings) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.rounds = rounds;
    this.secure = secure;
    this.sharedSettings = Map.copyOf(sharedSettings);
  }

  private Behavior<CoordinatorCommand> start() {
    ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, ListingChanged::new);
    context.getSystem().receptionist().tell(Receptionist.subscribe(
        Participant.KEY, listings));
    context.getLog().info("Round coordinator started on {} ({} aggregation, {} rounds)",
        context.getSystem().address(), secure ? "secure" : "PLAIN", rounds == 0 ? "unlimited" : rounds);
    return pausing("waiting for participants");
  }

  // ---------------------------------------------------------------- pausing

  /** Too few members (or a backoff after a failed attempt): survey again when the membership changes or later. */
  private Behavior<CoordinatorCommand> pausing(String reason) {
    if (!reason.equals(lastPauseReason)) {
      context.getLog().info("Paused: {}", reason);
      lastPauseReason = reason;
    }
    long g = armTimer(settings.retryBackoff());
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(ListingChanged.class, m -> {
          updateListing(m);
          return reachable.size() >= settings.minParticipants() ? surveying() : Behaviors.same();
        })
        .onMessage(Timeout.class, t -> t.generation() == g && reachable.size() >= settings.minParticipants()
            ? surveying() : Behaviors.same())
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onAnyMessage(this::ignore)
        .build();
  }

  // ---------------------------------------------------------------- surveying

  private Behavior<CoordinatorCommand> surveying() {
    Set<ActorRef<ParticipantCommand>> asked = Set.copyOf(reachable);
    Map<ActorRef<ParticipantCommand>, MemberStatus> replies = new HashMap<>();
    asked.forEach(p -> p.tell(new QueryStatus(context.getSelf())));
    long g = armTimer(settings.surveyTimeout());
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(MemberStatus.class, status -> {
          if (asked.contains(status.member().participant())) {
            replies.put(status.member().participant(), status);
          }
          return replies.size() == asked.size() ? decide(replies.values()) : Behaviors.same();
        })
        .onMessage(Timeout.class, t -> t.generation() == g ? decide(replies.values()) : Behaviors.same())
        .onMessage(ListingChanged.class, this::noteListing)
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onAnyMessage(this::ignore)
        .build();
  }

  /**
   * Picks the next step from the statuses the members reported: finish the commit of a round some members already
   * applied, complete a round whose result members hold but nobody committed (a coordinator died in between),
   * send members that are behind to fetch the latest model, and start the next attempt with the members that hold
   * it.
   */
  private Behavior<CoordinatorCommand> decide(Collection<MemberStatus> statuses) {
    if (statuses.size() < settings.minParticipants()) {
      return pausing("only " + statuses.size() + " participant(s) answered, at least "
          + settings.minParticipants() + " are needed");
    }
    long latest = statuses.stream().mapToLong(MemberStatus::committedRound).max().orElseThrow();
    Map<String, Long> hashesAtLatest = statuses.stream().filter(s -> s.committedRound() == latest)
        .collect(Collectors.groupingBy(MemberStatus::committedHash, Collectors.counting()));
    if (hashesAtLatest.size() > 1) {
      context.getLog().error("Members disagree on the model of round {}: {}", latest, hashesAtLatest);
    }
    String hash = hashesAtLatest.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    List<RingMember> current = statuses.stream()
        .filter(s -> s.committedRound() == latest && s.committedHash().equals(hash))
        .map(MemberStatus::member)
        .sorted(Comparator.comparing(RingMember::nodeId))
        .toList();

    Behavior<CoordinatorCommand> completion = completeRoundInFlight(statuses, latest, hash, current);
    if (completion != null) {
      return completion;
    }
    Set<ActorRef<ParticipantCommand>> catchingUp = bringUpToDate(statuses, latest, hash, current);
    if (rounds > 0 && latest >= rounds) {
      return finished(latest, hash);
    }
    if (!catchingUp.isEmpty() && waitedForCatchUp < latest + 1) {
      // Once per round: a member that catches up in time takes part, instead of staying one round behind.
      waitedForCatchUp = latest + 1;
      return awaitingCatchUp(catchingUp, latest);
    }
    long round = latest + 1;
    Set<String> stragglers = excluded.getOrDefault(round, Set.of());
    List<RingMember> ring = current.stream().filter(p -> !stragglers.contains(p.nodeId())).toList();
    if (!stragglers.isEmpty()) {
      context.getLog().info("Round {} goes on without {}, who missed the deadline", round, stragglers);
    }
    int members = trainerMembers();
    if (2 * ring.size() <= members) {
      return pausing("only " + ring.size() + " of the " + members + " cluster members can take part in round "
          + round + "; a round needs a majority, so that the two sides of a partition cannot both train");
    }
    if (ring.size() < settings.minParticipants()) {
      return pausing("only " + ring.size() + " participant(s) hold round " + latest + ", at least "
          + settings.minParticipants() + " are needed");
    }
    int attemptNumber = attemptsPerRound.merge(round, 1, Integer::sum);
    boolean retrain = false;
    for (MemberStatus s : statuses) {
      if (s.pendingAttempt() != null && s.pendingAttempt().round() == round) {
        attemptNumber = Math.max(attemptNumber, s.pendingAttempt().attempt() + 1);
      }
      if (s.revealedAttempt() != null && s.revealedAttempt().round() == round) {
        attemptNumber = Math.max(attemptNumber, s.revealedAttempt().attempt() + 1);
        retrain = true;
      }
    }
    attemptsPerRound.put(round, attemptNumber);
    lastPauseReason = null;
    return startAttempt(AttemptId.fresh(round, attemptNumber, random), ring, hash, retrain);
  }

  /**
   * Commits a result that members of the round in flight hold as pending when no member committed it yet: every
   * holder computed the same sum, so committing it loses nothing and repeats nothing. Needs two agreeing holders
   * and none that disagrees; returns null when there is nothing to complete.
   */
  private Behavior<CoordinatorCommand> completeRoundInFlight(Collection<MemberStatus> statuses, long latest,
                                                           String hash, List<RingMember> current) {
    Map<String, List<MemberStatus>> holders = statuses.stream()
        .filter(s -> s.committedRound() == latest && s.committedHash().equals(hash))
        .filter(s -> s.pendingAttempt() != null && s.pendingAttempt().round() == latest + 1)
        .collect(Collectors.groupingBy(s -> s.pendingAttempt() + "/" + s.pendingHash()));
    if (holders.size() != 1) {
      if (holders.size() > 1) {
        context.getLog().warn("Members hold different results for round {}; starting it again", latest + 1);
      }
      return null;
    }
    List<MemberStatus> agreeing = holders.values().iterator().next();
    if (agreeing.size() < 2) {
      return null;
    }
    AttemptId attempt = agreeing.get(0).pendingAttempt();
    String result = agreeing.get(0).pendingHash();
    List<RingMember> ring = agreeing.stream().map(MemberStatus::member)
        .sorted(Comparator.comparing(RingMember::nodeId)).toList();
    context.getLog().info("Completing {}: {} of {} members hold its result {}", attempt, ring.size(),
        current.size(), result.substring(0, 12));
    return committing(attempt, ring, result);
  }

  /**
   * Members one round behind that hold the latest round's result as pending apply it (its commit did not reach
   * them); members further behind fetch the latest model from a member that has it. Returns the members sent
   * to catch up.
   */
  private Set<ActorRef<ParticipantCommand>> bringUpToDate(Collection<MemberStatus> statuses, long latest,
                                                          String hash, List<RingMember> current) {
    List<ActorRef<ParticipantCommand>> sources = current.stream().map(RingMember::participant).toList();
    Set<ActorRef<ParticipantCommand>> catchingUp = new HashSet<>();
    for (MemberStatus s : statuses) {
      if (s.committedRound() >= latest) {
        continue;
      }
      if (s.committedRound() == latest - 1 && s.pendingAttempt() != null && s.pendingAttempt().round() == latest
          && hash.equals(s.pendingHash())) {
        context.getLog().info("{} missed the commit of round {}: committing it there", s.member().nodeId(), latest);
        s.member().participant().tell(new CommitRound(s.pendingAttempt(), hash, context.getSelf()));
      } else {
        context.getLog().info("{} holds round {}, the latest is {}: it catches up from a peer",
            s.member().nodeId(), s.committedRound(), latest);
        s.member().participant().tell(new CatchUp(latest, hash, sources, context.getSelf()));
        catchingUp.add(s.member().participant());
      }
    }
    return catchingUp;
  }

  /** Waits (at most a survey timeout) for members fetching the latest model to report it, then surveys again. */
  private Behavior<CoordinatorCommand> awaitingCatchUp(Set<ActorRef<ParticipantCommand>> members, long latest) {
    Set<ActorRef<ParticipantCommand>> waiting = new HashSet<>(members);
    long g = armTimer(settings.surveyTimeout());
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(MemberStatus.class, status -> {
          if (status.committedRound() >= latest) {
            waiting.remove(status.member().participant());
          }
          return waiting.isEmpty() ? surveying() : Behaviors.same();
        })
        .onMessage(Timeout.class, t -> t.generation() == g ? surveying() : Behaviors.same())
        .onMessage(ListingChanged.class, this::noteListing)
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onAnyMessage(this::ignore)
        .build();
  }

  /** Members of the cluster that train, reachable or not: a round needs a majority of them. */
  private int trainerMembers() {
    int count = 0;
    for (Member m : Cluster.get(context.getSystem()).state().getMembers()) {
      org.apache.pekko.cluster.MemberStatus status = m.status();
      boolean live = status == org.apache.pekko.cluster.MemberStatus.up()
          || status == org.apache.pekko.cluster.MemberStatus.weaklyUp()
          || status == org.apache.pekko.cluster.MemberStatus.leaving();
      if (live && m.hasRole(TRAINER_ROLE)) {
        count++;
      }
    }
    return count;
  }

  // ---------------------------------------------------------------- one attempt

  private Behavior<CoordinatorCommand> startAttempt(AttemptId id, List<RingMember> ring, String baseHash,
                                                   boolean retrain) {
    context.getLog().info("Starting {} with {} participants: {}{}", id, ring.size(),
        ring.stream().map(RingMember::nodeId).toList(), retrain ? " (training again)" : "");
    StartRound start = new StartRound(id, ring, baseHash, secure, retrain, sharedSettings, context.getSelf());
    ring.forEach(p -> p.participant().tell(start));
    return inAttempt(id, ring, System.nanoTime());
  }

  private Behavior<CoordinatorCommand> inAttempt(AttemptId id, List<RingMember> ring, long startedNanos) {
    Map<String, RingMember> byNode = new LinkedHashMap<>();
    ring.forEach(p -> byNode.put(p.nodeId(), p));
    Map<String, Optional<KeyAdvert>> ready = new HashMap<>();
    Set<String> contributed = new HashSet<>();
    Map<String, Aggregated> results = new HashMap<>();
    long g = armTimer(settings.roundDeadline());
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(Ready.class, m -> {
          if (!m.attempt().equals(id) || !byNode.containsKey(m.nodeId()) || ready.containsKey(m.nodeId())
              || (m.key() != null && !m.key().nodeId().equals(m.nodeId())) || (m.key() == null) == secure) {
            context.getLog().warn("Dropped a ready message for {} from {}: not expected", m.attempt(), m.nodeId());
            return Behaviors.same();
          }
          ready.put(m.nodeId(), Optional.ofNullable(m.key()));
          if (ready.size() == ring.size()) {
            List<KeyAdvert> keys = secure ? ring.stream().map(p -> ready.get(p.nodeId()).orElseThrow()).toList()
                : List.of();
            RoundKeys go = new RoundKeys(id, keys);
            ring.forEach(p -> p.participant().tell(go));
          }
          return Behaviors.same();
        })
        .onMessage(Contributed.class, m -> {
          if (m.attempt().equals(id) && byNode.containsKey(m.nodeId())) {
            contributed.add(m.nodeId());
          }
          return Behaviors.same();
        })
        .onMessage(Aggregated.class, m -> {
          if (!m.attempt().equals(id) || !byNode.containsKey(m.nodeId())) {
            context.getLog().warn("Dropped a result for {} from {}: not expected", m.attempt(), m.nodeId());
            return Behaviors.same();
          }
          results.put(m.nodeId(), m);
          if (results.size() < ring.size()) {
            return Behaviors.same();
          }
          Set<String> hashes = results.values().stream().map(Aggregated::modelHash).collect(Collectors.toSet());
          if (hashes.size() != 1) {
            return abort(id, ring, "participants computed different models: " + results.values().stream()
                .collect(Collectors.toMap(Aggregated::nodeId, a -> a.modelHash().substring(0, 12))));
          }
          Aggregated any = results.values().iterator().next();
          long slowest = results.values().stream().mapToLong(Aggregated::aggregationNanos).max().orElse(0);
          context.getLog().info("{}: all {} participants agree on {} (mean loss {}, {} samples, aggregation {} ms,"
              + " round {} ms)", id, ring.size(), any.modelHash().substring(0, 12),
              String.format("%.4f", any.meanLoss()), any.totalSamples(), slowest / 1_000_000,
              (System.nanoTime() - startedNanos) / 1_000_000);
          return committing(id, ring, any.modelHash());
        })
        .onMessage(AttemptFailed.class, m -> m.attempt().equals(id) && byNode.containsKey(m.nodeId())
            ? abort(id, ring, m.nodeId() + " failed: " + m.reason())
            : Behaviors.same())
        .onMessage(ListingChanged.class, m -> {
          updateListing(m);
          List<String> gone = ring.stream().filter(p -> !reachable.contains(p.participant()))
              .map(RingMember::nodeId).toList();
          if (gone.isEmpty()) {
            return Behaviors.same();
          }
          // No abort: the survivors may hold the result already; the survey completes or retries the round.
          context.getLog().warn("Lost participant(s) {} during {}; asking the others where they stand", gone, id);
          return surveying();
        })
        .onMessage(Timeout.class, t -> {
          if (t.generation() != g) {
            return Behaviors.same();
          }
          // The stragglers are those behind the phase the others reached: not ready, or ready but their update
          // not yet in the ring. When all updates are in the ring, the ring as a whole is stuck: nobody is left out.
          Set<String> behind = new HashSet<>(byNode.keySet());
          behind.removeAll(ready.size() < ring.size() ? ready.keySet()
              : contributed.size() < ring.size() ? contributed : byNode.keySet());
          context.getLog().warn("{}: deadline of {} s passed{}", id, settings.roundDeadline().toSeconds(),
              behind.isEmpty() ? "; retrying" : ", still waiting for " + behind.stream().sorted().toList()
                  + "; retrying without them");
          excluded.computeIfAbsent(id.round(), r -> new HashSet<>()).addAll(behind);
          AbortAttempt abort = new AbortAttempt(id, "missed the deadline");
          ring.stream().filter(p -> behind.contains(p.nodeId())).forEach(p -> p.participant().tell(abort));
          return surveying();
        })
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onAnyMessage(this::ignore)
        .build();
  }

  private Behavior<CoordinatorCommand> abort(AttemptId id, List<RingMember> ring, String reason) {
    context.getLog().warn("Abandoning {}: {}", id, reason);
    AbortAttempt abort = new AbortAttempt(id, reason);
    ring.forEach(p -> p.participant().tell(abort));
    int attempts = attemptsPerRound.getOrDefault(id.round(), 0);
    if (attempts % settings.maxAttemptsPerRound() == 0) {
      // Keeps retrying (members may come back), but an operator should look.
      context.getLog().error("Round {} has failed {} attempts; still retrying", id.round(), attempts);
    }
    return pausing("retrying round " + id.round() + " after: " + reason);
  }

  // ---------------------------------------------------------------- committing

  private Behavior<CoordinatorCommand> committing(AttemptId id, List<RingMember> ring, String hash) {
    CommitRound commit = new CommitRound(id, hash, context.getSelf());
    ring.forEach(p -> p.participant().tell(commit));
    Set<String> waiting = ring.stream().map(RingMember::nodeId).collect(Collectors.toCollection(HashSet::new));
    long g = armTimer(settings.roundDeadline());
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(RoundCommitted.class, m -> {
          if (m.attempt().equals(id) && m.modelHash().equals(hash)) {
            waiting.remove(m.nodeId());
          }
          return waiting.isEmpty() ? committed(id) : Behaviors.same();
        })
        .onMessage(Timeout.class, t -> {
          if (t.generation() != g) {
            return Behaviors.same();
          }
          // The round is committed once any member applied it; the next survey brings stragglers along.
          context.getLog().warn("Round {}: no commit acknowledgement from {}", id.round(), waiting);
          return committed(id);
        })
        .onMessage(ListingChanged.class, this::noteListing)
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onAnyMessage(this::ignore)
        .build();
  }

  private Behavior<CoordinatorCommand> committed(AttemptId id) {
    context.getLog().info("Committed round {}", id.round());
    attemptsPerRound.remove(id.round());
    excluded.remove(id.round());
    return surveying();
  }

  // ---------------------------------------------------------------- finished

  /** All rounds are committed; members that join or come back later are still brought up to date. */
  private Behavior<CoordinatorCommand> finished(long round, String hash) {
    if (!("finished " + round).equals(lastPauseReason)) {
      context.getLog().info("Training complete: {} rounds committed, model {}", round, hash.substring(0, 12));
      lastPauseReason = "finished " + round;
    }
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(ListingChanged.class, m -> {
          updateListing(m);
          return surveying();
        })
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onAnyMessage(this::ignore)
        .build();
  }

  // ---------------------------------------------------------------- helpers

  /** For phases in which membership changes only need noting: the next survey looks at them. */
  private Behavior<CoordinatorCommand> noteListing(ListingChanged changed) {
    updateListing(changed);
    return Behaviors.same();
  }

  private void updateListing(ListingChanged changed) {
    reachable = Set.copyOf(changed.listing().getServiceInstances(Participant.KEY));
  }

  private long armTimer(Duration after) {
    generation++;
    timers.startSingleTimer("phase", new Timeout(generation), after);
    return generation;
  }

  private Behavior<CoordinatorCommand> ignore(CoordinatorCommand message) {
    if (!(message instanceof Timeout) && !(message instanceof MemberStatus)) {
      context.getLog().debug("Ignored {} in this phase", message);
    }
    return Behaviors.same();
  }
}
