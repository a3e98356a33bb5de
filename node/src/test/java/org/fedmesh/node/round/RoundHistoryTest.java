package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** A slow or silent member sits out rounds after missing deadlines, longer with each miss in a row. */
class RoundHistoryTest {

  @Test
  void excluded_afterOneMiss_sitsOutTheRoundAndTheNextThenRejoins() {
    RoundHistory h = RoundHistory.EMPTY.withExcluded(3, Set.of("node-4"));
    assertEquals(Set.of("node-4"), h.excluded(3));
    assertEquals(Set.of("node-4"), h.excluded(4));
    assertEquals(Set.of(), h.excluded(5));
  }

  @Test
  void excluded_missesInARow_doubleTheWaitUpToTheCap() {
    RoundHistory h = RoundHistory.EMPTY;
    long round = 3;
    long[] expectedUntil = {4, 7, 12, 21, 38, 55};
    for (long until : expectedUntil) {
      h = h.withExcluded(round, Set.of("node-4"));
      assertEquals(until, h.benched().get("node-4").untilRound(), "after a miss in round " + round);
      assertEquals(Set.of("node-4"), h.excluded(until));
      assertEquals(Set.of(), h.excluded(until + 1));
      round = until + 1; // it rejoins and misses again
    }
    assertEquals(RoundHistory.MAX_BENCH_ROUNDS, expectedUntil[5] - expectedUntil[4] - 1);
  }

  @Test
  void committed_withTheMemberInTheRing_clearsItsMisses() {
    RoundHistory h = RoundHistory.EMPTY.withExcluded(3, Set.of("node-4")).withExcluded(5, Set.of("node-4"));
    h = h.committed(7, Set.of("node-1", "node-4"));
    assertEquals(Set.of(), h.excluded(8));
    h = h.withExcluded(9, Set.of("node-4"));
    assertEquals(1, h.benched().get("node-4").misses(), "counting starts again");
    assertEquals(10, h.benched().get("node-4").untilRound());
  }

  @Test
  void committed_withoutTheMember_keepsItBenched() {
    RoundHistory h = RoundHistory.EMPTY.withExcluded(3, Set.of("node-4")).withExcluded(5, Set.of("node-4"));
    assertEquals(7, h.benched().get("node-4").untilRound());
    h = h.committed(6, Set.of("node-1", "node-2", "node-3"));
    assertEquals(Set.of("node-4"), h.excluded(7));
  }

  @Test
  void readmitted_onlyOnceTheWaitIsOverAndOnlyMembersInTheRing() {
    RoundHistory h = RoundHistory.EMPTY.withExcluded(3, Set.of("node-4", "node-5"));
    assertEquals(Set.of(), h.readmitted(4, Set.of("node-1", "node-4")), "still sitting out round 4");
    assertEquals(Set.of("node-4"), h.readmitted(5, Set.of("node-1", "node-4")),
        "node-5 did not answer the survey, so it is not in the ring and not readmitted");
    assertEquals(Set.of(), h.committed(5, Set.of("node-1", "node-4")).readmitted(6, Set.of("node-1", "node-4")),
        "a committed round clears the bench");
  }
  @Test
  void withUndecodable_sameRoundAndMembers_countsInARow_otherMembersStartAgain() {
    RoundHistory h = RoundHistory.EMPTY.withUndecodable(4, Set.of("a", "b", "c")).withUndecodable(4,
        Set.of("a", "b", "c"));
    assertEquals(2, h.undecodable().attempts());
    assertEquals(1, h.withUndecodable(4, Set.of("a", "b")).undecodable().attempts(), "another ring starts again");
    assertEquals(1, h.withUndecodable(5, Set.of("a", "b", "c")).undecodable().attempts(), "another round too");
    assertEquals(true, h.withUndecodableRetryAllowed().undecodable().retryAllowed());
    assertEquals(false, h.withUndecodableRetryAllowed().withUndecodable(4, Set.of("a", "b", "c")).undecodable()
        .retryAllowed(), "the allowed retry failed: paused again");
    assertEquals(null, h.committed(4, Set.of("a", "b")).undecodable(), "a committed round ends the run");
    assertEquals(2, h.withExcluded(4, Set.of("c")).withAttempt(4, 3).undecodable().attempts(), "kept across");
  }
}
