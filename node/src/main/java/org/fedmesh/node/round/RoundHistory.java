package org.fedmesh.node.round;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.fedmesh.protocols.AttemptId;

/**
 * What the coordinator remembers between surveys, as a value: {@link RoundPlanner} reads it, the coordinator
 * replaces it. A successor starts empty; members' statuses tell it the rest.
 *
 * @param attempts the last attempt number started per round, so that a retry gets a new number
 * @param excluded per round, members that missed a deadline in it, left out of its retries; they catch up after
 * @param waitedForCatchUp the round before which the coordinator last waited for members catching up (it waits
 *     once per round)
 * @param benched members that missed deadlines in a row, left out of rounds up to {@link Bench#untilRound}: a slow
 *     or silent member must not cost every round its whole deadline again; each miss in a row doubles the wait
 *     (up to {@link #MAX_BENCH_ROUNDS}), and taking part in a committed round clears it
 * @param undecodable the latest run of attempts whose sum did not decode, or null: one round, one set of
 *     participants; the planner pauses training when it gets too long
 * @param recoveries per attempt whose sum may be known, how often the survivors were told to complete it without
 *     the members lost from it ({@link NextStep.RecoverInFlight}): bounded, so a recovery that cannot finish gives
 *     way to a new attempt
 */
public record RoundHistory(Map<Long, Integer> attempts, Map<Long, Set<String>> excluded, long waitedForCatchUp,
                           Map<String, Bench> benched, Undecodable undecodable, Map<AttemptId, Integer> recoveries) {

  public static final RoundHistory EMPTY = new RoundHistory(Map.of(), Map.of(), 0, Map.of(), null, Map.of());

  /** How often the survivors of one attempt are told to complete it before the round starts again. */
  public static final int MAX_RECOVERIES = 3;

  /**
   * {@code attempts} attempts in a row at {@code round} with exactly {@code participants} summed to something that
   * does not decode; {@code retryAllowed}: the long backoff after the pause is over, one more attempt may run.
   */
  public record Undecodable(long round, Set<String> participants, int attempts, boolean retryAllowed) {
    public Undecodable {
      participants = Set.copyOf(participants);
    }
  }

  /** The longest a straggler sits out, in rounds. */
  public static final long MAX_BENCH_ROUNDS = 16;

  /** A member's deadline misses in a row and the last round it sits out. */
  public record Bench(int misses, long untilRound) {}

  public RoundHistory {
    attempts = Map.copyOf(attempts);
    Map<Long, Set<String>> copy = new HashMap<>();
    excluded.forEach((round, nodes) -> copy.put(round, Set.copyOf(nodes)));
    excluded = Map.copyOf(copy);
    benched = Map.copyOf(benched);
    recoveries = Map.copyOf(recoveries);
  }

  public RoundHistory(Map<Long, Integer> attempts, Map<Long, Set<String>> excluded, long waitedForCatchUp,
                      Map<String, Bench> benched, Undecodable undecodable) {
    this(attempts, excluded, waitedForCatchUp, benched, undecodable, Map.of());
  }

  public RoundHistory(Map<Long, Integer> attempts, Map<Long, Set<String>> excluded, long waitedForCatchUp) {
    this(attempts, excluded, waitedForCatchUp, Map.of(), null);
  }

  public RoundHistory(Map<Long, Integer> attempts, Map<Long, Set<String>> excluded, long waitedForCatchUp,
                      Map<String, Bench> benched) {
    this(attempts, excluded, waitedForCatchUp, benched, null);
  }

  /**
   * The sum of an attempt at {@code round} with {@code participants} did not decode: one more in the run when the
   * round and participants are the same (a retry with fresh masks), else the start of a new run.
   */
  public RoundHistory withUndecodable(long round, Set<String> participants) {
    boolean same = undecodable != null && undecodable.round() == round
        && undecodable.participants().equals(Set.copyOf(participants));
    int count = same ? undecodable.attempts() + 1 : 1;
    return new RoundHistory(attempts, excluded, waitedForCatchUp, benched,
        new Undecodable(round, participants, count, false), recoveries);
  }

  /** The long backoff after a pause for undecodable sums is over: one more attempt with the same members. */
  public RoundHistory withUndecodableRetryAllowed() {
    return undecodable == null ? this : new RoundHistory(attempts, excluded, waitedForCatchUp, benched,
        new Undecodable(undecodable.round(), undecodable.participants(), undecodable.attempts(), true), recoveries);
  }

  public int attempts(long round) {
    return attempts.getOrDefault(round, 0);
  }

  /** Members left out of {@code round}: they missed a deadline in it, or sit out after misses in a row. */
  public Set<String> excluded(long round) {
    Set<String> out = new HashSet<>(excluded.getOrDefault(round, Set.of()));
    benched.forEach((node, bench) -> {
      if (bench.untilRound() >= round) {
        out.add(node);
      }
    });
    return Set.copyOf(out);
  }

  /**
   * Members of {@code ring} that were benched and whose wait is over by {@code round}: readmitted. They are in the
   * ring only because they answered the survey in time (the planner draws rings from the answers), which is the
   * sign of life readmission asks for; a miss again doubles their next wait.
   */
  public Set<String> readmitted(long round, java.util.Collection<String> ring) {
    Set<String> out = new java.util.TreeSet<>();
    for (String node : ring) {
      Bench bench = benched.get(node);
      if (bench != null && bench.untilRound() < round) {
        out.add(node);
      }
    }
    return out;
  }

  public RoundHistory withAttempt(long round, int attempt) {
    Map<Long, Integer> next = new HashMap<>(attempts);
    next.put(round, attempt);
    return new RoundHistory(next, excluded, waitedForCatchUp, benched, undecodable, recoveries);
  }

  /**
   * {@code nodes} missed a deadline in {@code round}: left out of its retries, and of the rounds after it for
   * 1, 2, 4 ... (at most {@link #MAX_BENCH_ROUNDS}) rounds, doubling with each miss in a row.
   */
  public RoundHistory withExcluded(long round, Set<String> nodes) {
    Map<Long, Set<String>> next = new HashMap<>(excluded);
    Set<String> all = new HashSet<>(excluded.getOrDefault(round, Set.of()));
    all.addAll(nodes);
    next.put(round, all);
    Map<String, Bench> bench = new HashMap<>(benched);
    for (String node : nodes) {
      int misses = benched.containsKey(node) ? benched.get(node).misses() + 1 : 1;
      long rounds = Math.min(MAX_BENCH_ROUNDS, 1L << Math.min(misses - 1, 30));
      bench.put(node, new Bench(misses, round + rounds));
    }
    return new RoundHistory(attempts, next, waitedForCatchUp, bench, undecodable, recoveries);
  }

  public RoundHistory withCatchUpWaitBefore(long round) {
    return new RoundHistory(attempts, excluded, round, benched, undecodable, recoveries);
  }

  /** A committed round needs no attempt numbers or exclusions any more; its participants have shown they answer. */
  public RoundHistory committed(long round, Set<String> participants) {
    Map<Long, Integer> a = new HashMap<>(attempts);
    Map<Long, Set<String>> e = new HashMap<>(excluded);
    a.remove(round);
    e.remove(round);
    Map<String, Bench> bench = new HashMap<>(benched);
    bench.keySet().removeAll(participants);
    Undecodable stillOpen = undecodable != null && undecodable.round() > round ? undecodable : null;
    Map<AttemptId, Integer> r = new HashMap<>(recoveries);
    r.keySet().removeIf(id -> id.round() <= round);
    return new RoundHistory(a, e, waitedForCatchUp, bench, stillOpen, r);
  }

  /** The survivors of {@code attempt} were told once more to complete it. */
  public RoundHistory withRecovery(AttemptId attempt) {
    Map<AttemptId, Integer> r = new HashMap<>(recoveries);
    r.merge(attempt, 1, Integer::sum);
    return new RoundHistory(attempts, excluded, waitedForCatchUp, benched, undecodable, r);
  }

  /** How often the survivors of {@code attempt} were told to complete it. */
  public int recoveries(AttemptId attempt) {
    return recoveries.getOrDefault(attempt, 0);
  }
}
