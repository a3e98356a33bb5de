package org.fedmesh.node.round;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.fedmesh.node.round.NextStep.AwaitCatchUp;
import org.fedmesh.node.round.NextStep.BringUpToDate;
import org.fedmesh.node.round.NextStep.BringUpToDate.Behind;
import org.fedmesh.node.round.NextStep.BringUpToDate.MissedCommit;
import org.fedmesh.node.round.NextStep.CompleteInFlight;
import org.fedmesh.node.round.NextStep.Findings;
import org.fedmesh.node.round.NextStep.Finished;
import org.fedmesh.node.round.NextStep.Pause;
import org.fedmesh.node.round.NextStep.RecoverInFlight;
import org.fedmesh.node.round.NextStep.StartAttempt;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.RingMember;

/**
 * The coordinator's choice of the next step after a survey, as a pure function of what the members reported and
 * what the coordinator remembers: no actors, no clock, no logging, so every rule can be checked in a table test.
 */
public final class RoundPlanner {
  private RoundPlanner() {}

  /**
   * Picks the next step: finish the commit of a round some members already applied, complete a round whose result
   * members hold but nobody committed, send members that are behind to fetch the latest model, and start the next
   * attempt with the members that hold it.
   *
   * @param statuses the members' answers to the survey
   * @param history what the coordinator remembers of earlier attempts
   * @param trainerMembers live trainer members of the cluster, reachable or not: a round needs a majority of them
   * @param minParticipants the fewest members a round may have
   * @param rounds rounds to train, 0 for no limit
   */
  public static NextStep next(Collection<MemberStatus> statuses, RoundHistory history, int trainerMembers,
                              int minParticipants, long rounds) {
    return next(statuses, history, trainerMembers, minParticipants, rounds, Integer.MAX_VALUE);
  }

  /**
   * As {@link #next(Collection, RoundHistory, int, int, long)}; {@code maxUndecodable}: after this many attempts
   * in a row at one round whose sum did not decode, the same participants get no further attempt (a pause) until
   * the history allows one more (after a long backoff).
   */
  public static NextStep next(Collection<MemberStatus> statuses, RoundHistory history, int trainerMembers,
                              int minParticipants, long rounds, int maxUndecodable) {
    if (statuses.isEmpty() || statuses.size() < minParticipants) {
      return new Pause("only " + statuses.size() + " participant(s) answered, at least " + minParticipants
          + " are needed", Findings.NONE);
    }
    long latest = statuses.stream().mapToLong(MemberStatus::committedRound).max().orElseThrow();
    Map<String, Long> hashesAtLatest = statuses.stream().filter(s -> s.committedRound() == latest)
        .collect(Collectors.groupingBy(MemberStatus::committedHash, Collectors.counting()));
    String hash = hashesAtLatest.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    List<RingMember> current = statuses.stream()
        .filter(s -> s.committedRound() == latest && s.committedHash().equals(hash))
        .map(MemberStatus::member)
        .sorted(Comparator.comparing(RingMember::nodeId))
        .toList();

    Map<Result, List<MemberStatus>> holders = resultsInFlight(statuses, latest, hash);
    Findings findings = new Findings(latest, hashesAtLatest.size() > 1 ? hashesAtLatest : Map.of(),
        holders.size() > 1);
    // Every holder computed the same sum: committing it loses nothing and repeats nothing. Needs two agreeing
    // holders, none that disagrees, and the signatures of the attempt's whole ring, which members commit on; a ring
    // member that is gone counts with its signed attestation, which the holders hand in, when they are a majority
    // (otherwise, or without it, the round starts again).
    if (holders.size() == 1) {
      Map.Entry<Result, List<MemberStatus>> only = holders.entrySet().iterator().next();
      Optional<CommitProof> certificate = CommitCertificates.ofHolders(only.getValue().stream()
          .map(MemberStatus::pendingSignature).toList(), only.getValue().stream()
          .flatMap(s -> s.pendingAttestations().stream()).toList(), only.getKey().hash(), trainerMembers);
      if (only.getValue().size() >= 2 && certificate.isPresent()) {
        List<RingMember> ring = only.getValue().stream().map(MemberStatus::member)
            .sorted(Comparator.comparing(RingMember::nodeId)).toList();
        return new CompleteInFlight(only.getKey().attempt(), ring, only.getKey().hash(), certificate.get(),
            current.size(), findings);
      }
    }

    Optional<RecoverInFlight> recover = recoverable(statuses, latest, hash, history, trainerMembers, findings);
    if (recover.isPresent()) {
      return recover.get();
    }

    // Members one round behind that hold the latest round's result as pending apply it (its commit did not reach
    // them); members further behind fetch the latest model from a member that has it.
    List<MissedCommit> missedCommits = new ArrayList<>();
    List<Behind> behind = new ArrayList<>();
    for (MemberStatus s : statuses) {
      if (s.committedRound() >= latest) {
        continue;
      }
      if (s.committedRound() == latest - 1 && s.pendingAttempt() != null && s.pendingAttempt().round() == latest
          && hash.equals(s.pendingHash())) {
        missedCommits.add(new MissedCommit(s.member(), s.pendingAttempt()));
      } else {
        behind.add(new Behind(s.member(), s.committedRound()));
      }
    }

    NextStep then;
    if (rounds > 0 && latest >= rounds) {
      then = new Finished(latest, hash, behind.stream().map(b -> b.member().nodeId()).collect(Collectors.toSet()),
          findings);
    } else if (!behind.isEmpty() && history.waitedForCatchUp() < latest + 1) {
      then = new AwaitCatchUp(latest, behind.stream().map(b -> b.member().nodeId()).collect(Collectors.toSet()),
          findings);
    } else {
      then = attempt(statuses, history, latest, hash, current, trainerMembers, minParticipants, maxUndecodable,
          findings);
    }
    if (missedCommits.isEmpty() && behind.isEmpty()) {
      return then;
    }
    List<ActorRef<ParticipantCommand>> sources = current.stream().map(RingMember::participant).toList();
    CommitProof certificate = statuses.stream().filter(s -> s.committedRound() == latest
        && s.committedHash().equals(hash) && s.committedCertificate() != null)
        .map(MemberStatus::committedCertificate).findFirst().orElse(null);
    return new BringUpToDate(latest, hash, certificate, sources, missedCommits, behind, then, findings);
  }

  /** The next attempt at the round after {@code latest}, or a pause when too few members can take part. */
  private static NextStep attempt(Collection<MemberStatus> statuses, RoundHistory history, long latest, String hash,
                                  List<RingMember> current, int trainerMembers, int minParticipants,
                                  int maxUndecodable, Findings findings) {
    long round = latest + 1;
    Set<String> excluded = history.excluded(round);
    List<RingMember> without = current.stream().filter(p -> !excluded.contains(p.nodeId())).toList();
    // Leaving stragglers out must not stop the consortium: when no round could start without them, a slow round
    // with them beats none (rounds would never advance, and neither would the end of their wait).
    boolean enoughWithout = 2 * without.size() > trainerMembers && without.size() >= minParticipants;
    List<RingMember> ring = enoughWithout ? without : current;
    Set<String> stragglers = enoughWithout ? excluded : Set.of();
    if (2 * ring.size() <= trainerMembers) {
      return new Pause("only " + ring.size() + " of the " + trainerMembers + " cluster members can take part in round "
          + round + "; a round needs a majority, so that the two sides of a partition cannot both train", findings);
    }
    if (ring.size() < minParticipants) {
      return new Pause("only " + ring.size() + " participant(s) hold round " + latest + ", at least "
          + minParticipants + " are needed", findings);
    }
    RoundHistory.Undecodable garbage = history.undecodable();
    Set<String> ringIds = ring.stream().map(RingMember::nodeId).collect(Collectors.toSet());
    // Another attempt with the same members would only sum the same garbage again: wait for the membership to
    // change (a revoked culprit drops out of the ring) or for the long backoff.
    if (garbage != null && garbage.round() == round && garbage.attempts() >= maxUndecodable
        && !garbage.retryAllowed() && garbage.participants().equals(ringIds)) {
      return new NextStep.PauseUndecodable(round, garbage.participants(), garbage.attempts(), findings);
    }
    int attemptNumber = history.attempts(round) + 1;
    for (MemberStatus s : statuses) {
      if (s.pendingAttempt() != null && s.pendingAttempt().round() == round) {
        attemptNumber = Math.max(attemptNumber, s.pendingAttempt().attempt() + 1);
      }
      if (s.takenAttempt() != null && s.takenAttempt().round() == round) {
        // The member ignores older attempts of the round as replays (a coordinator that took over knows none).
        attemptNumber = Math.max(attemptNumber, s.takenAttempt().attempt() + 1);
      }
      if (s.revealedAttempt() != null && s.revealedAttempt().round() == round) {
        // The member trains afresh for the next attempt by itself; only the numbering is the planner's.
        attemptNumber = Math.max(attemptNumber, s.revealedAttempt().attempt() + 1);
      }
    }
    return new StartAttempt(round, attemptNumber, ring, hash, new TreeSet<>(stragglers), findings);
  }

  /**
   * An attempt at the round after {@code latest} whose sum may be known, lost members of its ring, and survivors
   * that all revealed their seeds in it, some holding no result of it yet: they can complete it (they hold every
   * attestation, and every segment twice), so it is not retried, as long as they are a majority of
   * {@code trainerMembers} and have not been told {@link RoundHistory#MAX_RECOVERIES} times already. Empty
   * otherwise.
   */
  private static Optional<RecoverInFlight> recoverable(Collection<MemberStatus> statuses, long latest, String hash,
                                                       RoundHistory history, int trainerMembers, Findings findings) {
    Set<AttemptId> revealed = statuses.stream().map(MemberStatus::revealedAttempt)
        .filter(a -> a != null && a.round() == latest + 1).collect(Collectors.toSet());
    if (revealed.size() != 1) {
      return Optional.empty();
    }
    AttemptId attempt = revealed.iterator().next();
    List<String> ring = statuses.stream().filter(s -> attempt.equals(s.revealedAttempt()))
        .map(MemberStatus::revealedRing).filter(r -> !r.isEmpty()).findFirst().orElse(List.of());
    Map<String, MemberStatus> answered = statuses.stream()
        .collect(Collectors.toMap(s -> s.member().nodeId(), s -> s, (x, y) -> x));
    List<MemberStatus> survivors = ring.stream().filter(answered::containsKey).map(answered::get).toList();
    List<String> lost = ring.stream().filter(id -> !answered.containsKey(id)).toList();
    // A survivor whose ring finished before the loss holds the result already: it serves its part from the whole
    // sum, the others put theirs together.
    boolean everySurvivorCan = survivors.stream().allMatch(s -> attempt.equals(s.revealedAttempt())
        && s.revealedRing().equals(ring) && s.committedRound() == latest && s.committedHash().equals(hash));
    boolean someStillWait = survivors.stream().anyMatch(s -> !attempt.equals(s.pendingAttempt()));
    if (ring.isEmpty() || lost.isEmpty() || !everySurvivorCan || !someStillWait
        || 2L * survivors.size() <= trainerMembers || history.recoveries(attempt) >= RoundHistory.MAX_RECOVERIES) {
      return Optional.empty();
    }
    return Optional.of(new RecoverInFlight(attempt, survivors.stream().map(MemberStatus::member).toList(), lost,
        findings));
  }

  /** Results of the round after {@code latest} that members holding the latest model keep pending, by result. */
  private static Map<Result, List<MemberStatus>> resultsInFlight(Collection<MemberStatus> statuses, long latest,
                                                                 String hash) {
    Map<Result, List<MemberStatus>> holders = new LinkedHashMap<>();
    for (MemberStatus s : statuses) {
      if (s.committedRound() == latest && s.committedHash().equals(hash) && s.pendingAttempt() != null
          && s.pendingAttempt().round() == latest + 1) {
        holders.computeIfAbsent(new Result(s.pendingAttempt(), s.pendingHash()), r -> new ArrayList<>()).add(s);
      }
    }
    return holders;
  }

  private record Result(AttemptId attempt, String hash) {}
}
