package org.fedmesh.node.round;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.AbortAttempt;
import org.fedmesh.protocols.RoundProtocol.Aggregated;
import org.fedmesh.protocols.RoundProtocol.AttemptFailed;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.Contributed;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.FailureKind;
import org.fedmesh.protocols.RoundProtocol.KeyAdvert;
import org.fedmesh.protocols.RoundProtocol.Ready;
import org.fedmesh.protocols.RoundProtocol.RecoverAttempt;
import org.fedmesh.protocols.RoundProtocol.ReportRingLinks;
import org.fedmesh.protocols.RoundProtocol.RingLinks;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/**
 * One attempt at a round, as a child of the {@link RoundCoordinator} that lives exactly as long as the attempt
 * (Pekko's per-session child actor): it sends StartRound naming itself as the coordinator, relays the keys, compares
 * the members' results and tells its parent how the attempt ended, then stops. A late message of an ended attempt
 * therefore lands in dead letters, never in a later attempt's state.
 *
 * <p>States, one method each: {@link #collectingReadiness} (Ready messages until all are ready, then RoundKeys),
 * {@link #aggregating} (Contributed and Aggregated until every member reported its model hash) and
 * {@link #askingForLinks} (the deadline passed with every update in the ring: each member says what its ring
 * predecessor sent it, for at most a survey timeout, and the members proven silent or misbehaving are named and
 * left out). All accept AttemptFailed: a member may refuse the attempt before it is ready (its settings differ, for
 * one).
 */
final class AttemptRun {

  /** How the attempt ended; sent to the parent, which carries on from there. */
  sealed interface Outcome extends CoordinatorCommand {
    AttemptId attempt();
  }

  /** Every member computed the model hashing to {@code modelHash} and signed it: commit it on {@code certificate}. */
  record Agreed(AttemptId attempt, String modelHash, CommitProof certificate) implements Outcome {}

  /** A member failed or the results differ; every member was told to abort. */
  record Abandoned(AttemptId attempt, String reason) implements Outcome {}

  /**
   * The sum did not decode, as {@code reportedBy} found first (every member holds the same sum: the reporter is
   * no more to blame than the others); one of {@code participants} sent garbage. Every member was told to abort.
   */
  record SumUndecodable(AttemptId attempt, String reportedBy, String reason, List<String> participants)
      implements Outcome {
    SumUndecodable {
      participants = List.copyOf(participants);
    }
  }

  /**
   * The deadline passed; {@code behind}, the members behind the phase the others reached, or, when every update
   * reached the ring, the members whose successors report them silent or misbehaving, were told to abort and are
   * left out of the round's retries. Empty when nobody could be named.
   */
  record DeadlinePassed(AttemptId attempt, Set<String> behind) implements Outcome {}

  /**
   * Participants were lost and the attempt cannot be completed without them (they were lost before the masked sum
   * formed, or too few survive to commit); members were not told to abort: the parent's survey finds out where
   * each stands.
   */
  record Incomplete(AttemptId attempt, String reason) implements Outcome {}

  /**
   * From the parent: {@code gone} left the cluster's listing; {@code consortiumMembers} is the consortium's size
   * now, of which the survivors who sign must be a majority.
   */
  record ParticipantsLost(Set<String> gone, int consortiumMembers) implements CoordinatorCommand {}

  private enum Deadline implements CoordinatorCommand { INSTANCE }

  /** The end of the wait for link reports. */
  private enum LinksDue implements CoordinatorCommand { INSTANCE }

  private final ActorContext<CoordinatorCommand> context;
  private final StartRound start;
  private final AttemptId id;
  private final List<RingMember> ring;
  private final Set<String> members;
  private final boolean secure;
  private final ActorRef<Outcome> parent;
  private final TimerScheduler<CoordinatorCommand> timers;
  private final Duration linkSurvey;
  private final ControlSeals seals;
  private final ParticipantSenders senders;
  private final long startedNanos = System.nanoTime();

  /**
   * Sends {@code start}, given the ref the members reply to (this actor), and runs the attempt it starts; seals what
   * it sends and accepts from the members only what they sealed themselves ({@link ParticipantSenders}). At the
   * deadline it waits at most {@code linkSurvey} for the members' link reports.
   */
  static Behavior<CoordinatorCommand> create(Function<ActorRef<CoordinatorCommand>, StartRound> start,
                                             Duration deadline, Duration linkSurvey, ActorRef<Outcome> parent,
                                             ControlSeals seals) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      // Named after this class, not Pekko's ActorCell, so that alerts on org.fedmesh loggers see the culprits named.
      context.setLoggerName(AttemptRun.class);
      StartRound message = seals.seal(start.apply(context.getSelf()));
      message.ring().forEach(p -> p.participant().tell(message));
      // One deadline for the whole attempt, both phases.
      timers.startSingleTimer(Deadline.INSTANCE, deadline);
      return new AttemptRun(context, message, parent, timers, linkSurvey, seals).collectingReadiness();
    }));
  }

  private AttemptRun(ActorContext<CoordinatorCommand> context, StartRound start, ActorRef<Outcome> parent,
                     TimerScheduler<CoordinatorCommand> timers, Duration linkSurvey, ControlSeals seals) {
    this.context = context;
    this.timers = timers;
    this.linkSurvey = linkSurvey;
    this.start = start;
    this.id = start.attempt();
    this.ring = start.ring();
    this.members = ring.stream().map(RingMember::nodeId).collect(Collectors.toUnmodifiableSet());
    this.secure = start.secure();
    this.parent = parent;
    this.seals = seals;
    this.senders = new ParticipantSenders(seals, id, members, context.getLog());
  }

  private Behavior<CoordinatorCommand> collectingReadiness() {
    Map<String, Optional<KeyAdvert>> ready = new HashMap<>();
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(Ready.class, m -> {
          if (!senders.accepts(m, m.nodeId())) {
            return Behaviors.same();
          }
          if (!m.attempt().equals(id) || !members.contains(m.nodeId()) || ready.containsKey(m.nodeId())
              || (m.key() != null && !m.key().nodeId().equals(m.nodeId())) || (m.key() == null) == secure) {
            senders.warnOnce("ready|" + m.nodeId() + "|" + m.attempt(), "Dropped a ready message for "
                + m.attempt() + " from " + m.nodeId() + ": not expected");
            return Behaviors.same();
          }
          ready.put(m.nodeId(), Optional.ofNullable(m.key()));
          if (ready.size() < ring.size()) {
            return Behaviors.same();
          }
          List<KeyAdvert> keys = secure ? ring.stream().map(p -> ready.get(p.nodeId()).orElseThrow()).toList()
              : List.of();
          RoundKeys go = seals.seal(new RoundKeys(id, keys));
          ring.forEach(p -> p.participant().tell(go));
          return aggregating();
        })
        .onMessage(AttemptFailed.class, this::failed)
        .onMessage(ParticipantsLost.class, m -> incomplete("lost " + m.gone() + " before the keys went out"))
        .onMessage(Deadline.class, t -> deadlinePassed(ready.keySet()))
        .onAnyMessage(this::ignore)
        .build();
  }

  private Behavior<CoordinatorCommand> aggregating() {
    Set<String> contributed = new HashSet<>();
    Map<String, Aggregated> results = new HashMap<>();
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(Contributed.class, m -> {
          if (m.attempt().equals(id) && senders.accepts(m, m.nodeId())) {
            contributed.add(m.nodeId());
          }
          return Behaviors.same();
        })
        .onMessage(Aggregated.class, m -> {
          if (!senders.accepts(m, m.nodeId())) {
            return Behaviors.same();
          }
          if (!m.attempt().equals(id) || !members.contains(m.nodeId())) {
            senders.warnOnce("result|" + m.nodeId() + "|" + m.attempt(), "Dropped a result for " + m.attempt()
                + " from " + m.nodeId() + ": not expected");
            return Behaviors.same();
          }
          results.put(m.nodeId(), m);
          return results.size() < ring.size() ? Behaviors.same() : compare(results.values());
        })
        .onMessage(AttemptFailed.class, this::failed)
        .onMessage(ParticipantsLost.class, m -> lost(results, Set.of(), m))
        // All updates in the ring and still no result: somebody in the ring went silent; ask who got what.
        .onMessage(Deadline.class, t -> contributed.size() < ring.size() ? deadlinePassed(contributed)
            : askingForLinks(results))
        .onAnyMessage(this::ignore)
        .build();
  }

  /**
   * Every member reported its update in the ring, yet results are missing at the deadline: each member's ring
   * endpoint says what its predecessor sent it, and those proven to have held the ring up are named and left out
   * (see {@link RingAccusations}). Waits at most the link survey time; a member that does not answer accuses nobody.
   */
  private Behavior<CoordinatorCommand> askingForLinks(Map<String, Aggregated> results) {
    Map<String, RingLinks> reports = new HashMap<>();
    ReportRingLinks query = new ReportRingLinks(id, context.getSelf());
    ring.forEach(p -> p.participant().tell(query));
    timers.startSingleTimer(LinksDue.INSTANCE, linkSurvey);
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(RingLinks.class, m -> {
          // A report accuses a member: only its sealer's own counts.
          if (m.attempt().equals(id) && senders.accepts(m, m.nodeId())) {
            reports.putIfAbsent(m.nodeId(), m);
          }
          return reports.size() < ring.size() ? Behaviors.same() : nameCulprits(reports);
        })
        .onMessage(Aggregated.class, m -> {
          if (m.attempt().equals(id) && senders.accepts(m, m.nodeId())) {
            results.put(m.nodeId(), m);
          }
          return results.size() < ring.size() ? Behaviors.same() : compare(results.values());
        })
        .onMessage(AttemptFailed.class, this::failed)
        .onMessage(ParticipantsLost.class, m -> lost(results, Set.of(), m))
        .onMessage(LinksDue.class, t -> nameCulprits(reports))
        .onAnyMessage(this::ignore)
        .build();
  }

  private Behavior<CoordinatorCommand> nameCulprits(Map<String, RingLinks> reports) {
    List<RingAccusations.Accusation> accusations =
        RingAccusations.from(ring.stream().map(RingMember::nodeId).toList(), reports);
    accusations.forEach(a -> context.getLog().warn("{}: {}", id, a.describe()));
    int forged = reports.values().stream().mapToInt(RingLinks::forgedPieces).sum();
    if (forged > 0) {
      context.getLog().warn("{}: members dropped {} ring piece(s) whose MAC did not verify (injected or replayed;"
          + " such pieces name nobody)", id, forged);
    }
    if (accusations.isEmpty()) {
      context.getLog().warn("{}: the ring is stuck but no member's link report names a culprit ({} of {} answered)",
          id, reports.size(), ring.size());
    }
    return leaveOut(RingAccusations.accused(accusations));
  }

  /**
   * Participants left during the aggregation. If they attested that they held the masked sum before, the survivors
   * can still form it (each segment is kept by two members) and unmask it: they are told to recover, and their
   * results are committed with the lost members' attestations in place of their signatures. A plain attempt, or
   * survivors that are no majority, cannot be completed.
   */
  private Behavior<CoordinatorCommand> lost(Map<String, Aggregated> results, Set<String> lostBefore,
                                            ParticipantsLost m) {
    Set<String> lost = new HashSet<>(lostBefore);
    m.gone().stream().filter(members::contains).forEach(lost::add);
    if (lost.equals(lostBefore)) {
      return Behaviors.same();
    }
    List<RingMember> survivors = ring.stream().filter(p -> !lost.contains(p.nodeId())).toList();
    if (!secure || 2L * survivors.size() <= m.consortiumMembers()) {
      return incomplete("lost " + lost + (secure ? "; the " + survivors.size() + " survivors are no majority of "
          + m.consortiumMembers() + " members" : " in a plain attempt"));
    }
    context.getLog().warn("{}: lost {} during the aggregation; the survivors complete it if every participant"
        + " attested first", id, lost.stream().sorted().toList());
    RecoverAttempt recover = seals.seal(new RecoverAttempt(id, lost.stream().sorted().toList()));
    survivors.forEach(p -> p.participant().tell(recover));
    return recovering(results, lost, survivors, m.consortiumMembers());
  }

  private Behavior<CoordinatorCommand> recovering(Map<String, Aggregated> results, Set<String> lost,
                                                  List<RingMember> survivors, int consortiumMembers) {
    if (survivors.stream().allMatch(p -> results.containsKey(p.nodeId()))) {
      return completeWithout(survivors.stream().map(p -> results.get(p.nodeId())).toList(), lost);
    }
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(Aggregated.class, m -> {
          if (m.attempt().equals(id) && senders.accepts(m, m.nodeId())) {
            results.put(m.nodeId(), m);
          }
          return recovering(results, lost, survivors, consortiumMembers);
        })
        .onMessage(AttemptFailed.class, this::failed)
        .onMessage(ParticipantsLost.class, m -> lost(results, lost, m))
        .onMessage(Deadline.class, t -> incomplete("the survivors did not complete it without " + lost
            + " by the deadline (was a participant lost before every one attested?)"))
        .onAnyMessage(this::ignore)
        .build();
  }

  private Behavior<CoordinatorCommand> completeWithout(List<Aggregated> results, Set<String> lost) {
    Optional<String> disagreement = disagreement(results);
    if (disagreement.isPresent()) {
      return abandon(disagreement.get() + " (completing it without " + lost + ")");
    }
    String hash = results.get(0).modelHash();
    CommitCertificates.Result completed = CommitCertificates.completedWithout(
        results.stream().map(Aggregated::signature).toList(),
        results.stream().flatMap(r -> r.attestations().stream()).toList(), lost, start, hash);
    if (completed.certificate() == null) {
      return incomplete(completed.problem());
    }
    context.getLog().info("{}: completed without {}: {} survivors agree on {}, the lost members' attestations in"
        + " their place", id, lost.stream().sorted().toList(), results.size(), hash.substring(0, 12));
    parent.tell(new Agreed(id, hash, completed.certificate()));
    return Behaviors.stopped();
  }

  private Behavior<CoordinatorCommand> incomplete(String reason) {
    parent.tell(new Incomplete(id, reason));
    return Behaviors.stopped();
  }

  /**
   * Why {@code results} certify no one model, if they do not: they differ, or a signature over one is unusable
   * (named, so that the culprit is in the abort).
   */
  private Optional<String> disagreement(Collection<Aggregated> results) {
    Set<String> hashes = results.stream().map(Aggregated::modelHash).collect(Collectors.toSet());
    if (hashes.size() != 1) {
      return Optional.of("participants computed different models: " + results.stream()
          .collect(Collectors.toMap(Aggregated::nodeId, r -> r.modelHash().substring(0, 12))));
    }
    for (Aggregated r : results) {
      Optional<String> problem = CommitCertificates.problem(r.signature(), r.nodeId(), start, r.modelHash());
      if (problem.isPresent()) {
        return Optional.of("the signed result of " + r.nodeId() + " is unusable: " + problem.get());
      }
    }
    return Optional.empty();
  }

  private Behavior<CoordinatorCommand> compare(Collection<Aggregated> results) {
    Optional<String> disagreement = disagreement(results);
    if (disagreement.isPresent()) {
      return abandon(disagreement.get());
    }
    Aggregated any = results.iterator().next();
    Map<String, Aggregated> byNode = results.stream().collect(Collectors.toMap(Aggregated::nodeId, r -> r));
    CommitProof certificate = CommitCertificates.assemble(ring.stream()
        .map(p -> byNode.get(p.nodeId()).signature()).toList());
    // Each member's aggregation runs from its update being at hand to its decoded sum: the longest includes waiting
    // for the slowest trainer, the shortest (the slowest trainer's own) is the aggregation proper.
    java.util.LongSummaryStatistics aggregation = results.stream().mapToLong(Aggregated::aggregationNanos)
        .summaryStatistics();
    context.getLog().info("{}: all {} participants agree on {} (mean loss {}, {} samples, aggregation {} ms,"
        + " {} ms after the last update, round {} ms)", id, ring.size(), any.modelHash().substring(0, 12),
        String.format("%.4f", any.meanLoss()), any.totalSamples(), aggregation.getMax() / 1_000_000,
        String.format(java.util.Locale.ROOT, "%.1f", aggregation.getMin() / 1e6),
        (System.nanoTime() - startedNanos) / 1_000_000);
    parent.tell(new Agreed(id, any.modelHash(), certificate));
    return Behaviors.stopped();
  }

  private Behavior<CoordinatorCommand> failed(AttemptFailed m) {
    if (!m.attempt().equals(id) || !senders.accepts(m, m.nodeId())) {
      return Behaviors.same();
    }
    if (m.kind() == FailureKind.UNDECODABLE_SUM) {
      AbortAttempt abort = seals.seal(new AbortAttempt(id, "the sum did not decode"));
      ring.forEach(p -> p.participant().tell(abort));
      parent.tell(new SumUndecodable(id, m.nodeId(), m.reason(), ring.stream().map(RingMember::nodeId).toList()));
      return Behaviors.stopped();
    }
    return abandon(m.nodeId() + " failed: " + m.reason());
  }

  private Behavior<CoordinatorCommand> abandon(String reason) {
    AbortAttempt abort = seals.seal(new AbortAttempt(id, reason));
    ring.forEach(p -> p.participant().tell(abort));
    parent.tell(new Abandoned(id, reason));
    return Behaviors.stopped();
  }

  /** The stragglers are those behind the phase the others reached: {@code reachedPhase} are not. */
  private Behavior<CoordinatorCommand> deadlinePassed(Set<String> reachedPhase) {
    Set<String> behind = new HashSet<>(members);
    behind.removeAll(reachedPhase);
    return leaveOut(behind);
  }

  /** Ends the attempt at its deadline; {@code behind} are told to abort and left out of the retries. */
  private Behavior<CoordinatorCommand> leaveOut(Set<String> behind) {
    AbortAttempt abort = seals.seal(new AbortAttempt(id, "missed the deadline"));
    ring.stream().filter(p -> behind.contains(p.nodeId())).forEach(p -> p.participant().tell(abort));
    parent.tell(new DeadlinePassed(id, Set.copyOf(behind)));
    return Behaviors.stopped();
  }

  private Behavior<CoordinatorCommand> ignore(CoordinatorCommand message) {
    context.getLog().debug("Ignored {} in this phase of {}", message, id);
    return Behaviors.same();
  }
}
