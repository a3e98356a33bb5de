package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.ModelState;

/** Every model each member adopted, by commit or by catching up, in order: what the fault tests judge. */
final class CommitLog implements CommitListener {
  record Entry(String nodeId, long round, String hash, boolean caughtUp) {}

  private final List<Entry> entries = new ArrayList<>();

  @Override
  public synchronized void committed(String nodeId, ModelState model, double meanTrainingLoss) {
    entries.add(new Entry(nodeId, model.round(), model.hash(), Double.isNaN(meanTrainingLoss)));
    notifyAll();
  }

  /** Waits, woken by each commit, until every one of {@code members} has adopted {@code round}; false on timeout. */
  synchronized boolean awaitRound(Collection<String> members, long round, java.time.Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!members.stream().allMatch(m -> latest(m) >= round)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  synchronized List<Entry> of(String nodeId) {
    return entries.stream().filter(e -> e.nodeId().equals(nodeId)).toList();
  }

  synchronized long latest(String nodeId) {
    return of(nodeId).stream().mapToLong(Entry::round).max().orElse(0);
  }

  /** Rounds the member committed as a participant (not fetched from a peer). */
  synchronized Set<Long> takenPartIn(String nodeId) {
    Set<Long> rounds = new HashSet<>();
    of(nodeId).stream().filter(e -> !e.caughtUp()).forEach(e -> rounds.add(e.round()));
    return rounds;
  }

  /**
   * No fork and no gap: every round from 1 to {@code last} was adopted by someone, each round has exactly one
   * hash across all members, every member moved forward only, and the survivors end with the same model.
   */
  synchronized void assertConsistent(long last, Collection<String> survivors) {
    assertConsistent(1, last, survivors);
  }

  /** As {@link #assertConsistent(long, Collection)}, for a log that starts at round {@code first}. */
  synchronized void assertConsistent(long first, long last, Collection<String> survivors) {
    Map<Long, Set<String>> hashes = new HashMap<>();
    Map<String, Long> previous = new HashMap<>();
    for (Entry e : entries) {
      hashes.computeIfAbsent(e.round(), r -> new HashSet<>()).add(e.hash());
      Long before = previous.put(e.nodeId(), e.round());
      // a member restarted from an older checkpoint may fetch a round it had committed before its crash
      boolean forward = before == null || e.round() > before || (e.caughtUp() && e.round() == before);
      assertTrue(forward, e.nodeId() + " adopted round " + e.round() + " after " + before);
    }
    for (long r = first; r <= last; r++) {
      assertTrue(hashes.containsKey(r), "round " + r + " was never committed: " + entries);
      assertEquals(1, hashes.get(r).size(), "round " + r + " has several models: " + hashes.get(r));
    }
    Set<String> finals = new HashSet<>();
    for (String s : survivors) {
      List<Entry> mine = of(s);
      assertEquals(last, mine.get(mine.size() - 1).round(), s + " ended at another round");
      finals.add(mine.get(mine.size() - 1).hash());
    }
    assertEquals(1, finals.size(), "survivors disagree on the final model");
  }
}
