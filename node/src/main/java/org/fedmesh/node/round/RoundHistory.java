package org.fedmesh.node.round;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the coordinator remembers between surveys, as a value: {@link RoundPlanner} reads it, the coordinator
 * replaces it. A successor starts empty; members' statuses tell it the rest.
 *
 * @param attempts the last attempt number started per round, so that a retry gets a new number
 * @param excluded per round, members that missed a deadline in it, left out of its retries; they catch up after
 * @param waitedForCatchUp the round before which the coordinator last waited for members catching up (it waits
 *     once per round)
 */
public record RoundHistory(Map<Long, Integer> attempts, Map<Long, Set<String>> excluded, long waitedForCatchUp) {

  public static final RoundHistory EMPTY = new RoundHistory(Map.of(), Map.of(), 0);

  public RoundHistory {
    attempts = Map.copyOf(attempts);
    Map<Long, Set<String>> copy = new HashMap<>();
    excluded.forEach((round, nodes) -> copy.put(round, Set.copyOf(nodes)));
    excluded = Map.copyOf(copy);
  }

  public int attempts(long round) {
    return attempts.getOrDefault(round, 0);
  }

  public Set<String> excluded(long round) {
    return excluded.getOrDefault(round, Set.of());
  }

  public RoundHistory withAttempt(long round, int attempt) {
    Map<Long, Integer> next = new HashMap<>(attempts);
    next.put(round, attempt);
    return new RoundHistory(next, excluded, waitedForCatchUp);
  }

  public RoundHistory withExcluded(long round, Set<String> nodes) {
    Map<Long, Set<String>> next = new HashMap<>(excluded);
    Set<String> all = new HashSet<>(excluded(round));
    all.addAll(nodes);
    next.put(round, all);
    return new RoundHistory(attempts, next, waitedForCatchUp);
  }

  public RoundHistory withCatchUpWaitBefore(long round) {
    return new RoundHistory(attempts, excluded, round);
  }

  /** A committed round needs no attempt numbers or exclusions any more. */
  public RoundHistory committed(long round) {
    Map<Long, Integer> a = new HashMap<>(attempts);
    Map<Long, Set<String>> e = new HashMap<>(excluded);
    a.remove(round);
    e.remove(round);
    return new RoundHistory(a, e, waitedForCatchUp);
  }
}
