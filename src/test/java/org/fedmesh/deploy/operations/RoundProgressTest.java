package org.fedmesh.deploy.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.fedmesh.deploy.operations.MemberActivity.Phase;
import org.fedmesh.node.round.AbortReason;
import org.fedmesh.protocols.AttemptId;
import org.junit.jupiter.api.Test;

/**
 * What a log file gets: one line each time the round or its phase changes, naming both; and on a terminal, a bar
 * that other lines do not break.
 */
class RoundProgressTest {

  @Test
  void phaseLines_threeMembers_oneLinePerPhaseOnceTheLastMemberMovesOn() {
    List<String> lines = new ArrayList<>();
    try (RoundProgress progress = new RoundProgress(3, new PhaseLines(lines::add))) {
      for (String node : List.of("node-1", "node-2", "node-3")) {
        progress.entered(node, 4, Phase.TRAINING);
      }
      progress.entered("node-1", 4, Phase.SUMMING);
      progress.entered("node-2", 4, Phase.SUMMING);
      assertEquals(List.of("Round 4: training"), lines, "summing only once every member sums");
      progress.entered("node-3", 4, Phase.SUMMING);
      for (String node : List.of("node-1", "node-2", "node-3")) {
        progress.entered(node, 4, Phase.COMMITTING);
      }
      for (String node : List.of("node-1", "node-2", "node-3")) {
        progress.committed(node, 4);
      }
      progress.entered("node-2", 5, Phase.TRAINING);
      assertEquals(List.of("Round 4: training", "Round 4: summing", "Round 4: committing", "Round 4: committed",
          "Round 5: training"), lines);
    }
  }

  @Test
  void abandonedAttempt_toldByEveryMember_isOneLineWithItsKind() {
    List<String> lines = new ArrayList<>();
    AttemptId attempt = AttemptId.fresh(2, 1, new SecureRandom());
    try (RoundProgress progress = new RoundProgress(2, new PhaseLines(lines::add))) {
      progress.abandoned("node-1", attempt, AbortReason.DEADLINE, "missed the deadline");
      progress.abandoned("node-2", attempt, AbortReason.DEADLINE, "missed the deadline");
    }
    assertEquals(List.of("Round 2: attempt 1 abandoned (deadline): missed the deadline"), lines);
  }

  @Test
  void memberActivity_throughItsRoundEvents_drivesTheLines() {
    List<String> lines = new ArrayList<>();
    MemberActivity activity = new MemberActivity("node-1", 0, "",
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    try (RoundProgress progress = new RoundProgress(1, new PhaseLines(lines::add))) {
      activity.progress(progress);
      AttemptId attempt = AttemptId.fresh(1, 1, new SecureRandom());
      activity.attemptStarted("node-1", attempt, 3, true);
      activity.trainingEnded(1, java.time.Duration.ofMillis(5), false);
      activity.resultSigned("node-1", attempt, 1_000);
      activity.committed("node-1", org.fedmesh.node.round.ModelState.of(1, new float[1], new float[0]), 0.5);
    }
    assertEquals(List.of("Round 1: training", "Round 1: summing", "Round 1: committing", "Round 1: committed"),
        lines);
  }

  @Test
  void progressBars_lineInBetween_printedAboveTheBarWhichEndsCommitted() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream out = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
    try (RoundProgress progress = new RoundProgress(1, new ProgressBars(out))) {
      progress.entered("node-1", 7, Phase.TRAINING);
      progress.println("a table row");
      progress.entered("node-1", 7, Phase.SUMMING);
      progress.committed("node-1", 7); // closes the bar: its final state is drawn and its line ended
    }
    String text = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    // On a line of its own: whatever of the bar was drawn before it (the library redraws on its own thread, so
    // maybe nothing yet) is returned over with \r first.
    String row = text.lines().filter(l -> l.contains("a table row")).findFirst()
        .orElseThrow(() -> new AssertionError(text));
    assertEquals("a table row", row.substring(row.lastIndexOf('\r') + 1), text);
    assertTrue(text.contains("a table row" + System.lineSeparator()), text);
    String last = text.substring(text.lastIndexOf('\r') + 1);
    assertTrue(last.startsWith("Round 7 100%") && last.contains("3/3") && last.contains("committed")
        && last.endsWith(System.lineSeparator()), text);
  }
}
