package org.fedmesh.deploy.operations;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import org.fedmesh.node.round.AbortReason;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.protocols.AttemptId;
import org.junit.jupiter.api.Test;

/** The round events become Prometheus series with the names, units and labels OPERATIONS.md lists. */
class MemberActivityMetricsTest {
  private final PrometheusMeterRegistry registry = labelled();
  private final MemberActivity activity = new MemberActivity("node-1", 0, "", registry);
  private final SecureRandom random = new SecureRandom();

  /** As MemberOperations makes it: every sample labelled with the member. */
  private static PrometheusMeterRegistry labelled() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node_id", "node-1");
    return registry;
  }

  @Test
  void abortedAttempts_countedOncePerAttemptByReason_andAReplacedOneAsSuperseded() {
    AttemptId first = AttemptId.fresh(1, 1, random);
    activity.attemptStarted("node-1", first, 3, true);
    activity.attemptAborted("node-1", first, AbortReason.MEMBER_FAILED, "node-3 failed: local training failed");
    activity.attemptAborted("node-1", first, AbortReason.MEMBER_FAILED, "node-3 failed: again"); // told twice
    AttemptId second = AttemptId.fresh(1, 2, random);
    activity.attemptStarted("node-1", second, 3, false);
    AttemptId third = AttemptId.fresh(1, 3, random); // the coordinator moved on without an abort
    activity.attemptStarted("node-1", third, 3, false);
    activity.attemptAborted("node-1", AttemptId.fresh(1, 9, random), AbortReason.DEADLINE, "not this member's");
    String text = registry.scrape();
    assertTrue(text.contains("fedmesh_attempts_aborted_total{node_id=\"node-1\",reason=\"member_failed\"} 1.0"),
        text);
    assertTrue(text.contains("fedmesh_attempts_aborted_total{node_id=\"node-1\",reason=\"superseded\"} 1.0"), text);
    assertTrue(text.contains("fedmesh_attempts_aborted_total{node_id=\"node-1\",reason=\"deadline\"} 0.0"), text);
    assertTrue(text.contains("fedmesh_attempts_started_total{node_id=\"node-1\"} 3.0"), text);
  }

  @Test
  void committedRound_recordsEachPhaseAndTheCheckpointWrite() {
    AttemptId attempt = AttemptId.fresh(1, 1, random);
    activity.attemptStarted("node-1", attempt, 3, true);
    activity.trainingEnded(1, Duration.ofMillis(5), false);
    activity.resultSigned("node-1", attempt, 1_000);
    activity.checkpointWritten("node-1", 1, Duration.ofMillis(7));
    activity.committed("node-1", ModelState.of(1, new float[1], new float[0]), 0.5);
    String text = registry.scrape();
    for (String phase : new String[] {"training", "summing", "committing"}) {
      assertTrue(text.contains("fedmesh_round_phase_duration_seconds_count{node_id=\"node-1\",phase=\"" + phase
          + "\"} 1"), phase + ": " + text);
    }
    assertTrue(text.contains("fedmesh_checkpoint_write_duration_seconds_count{node_id=\"node-1\"} 1"), text);
    assertTrue(text.contains("fedmesh_checkpoint_write_duration_seconds_sum{node_id=\"node-1\"} 0.007"), text);
    assertTrue(text.contains("fedmesh_attempts_aborted_total{node_id=\"node-1\",reason=\"superseded\"} 0.0"), text);
  }
}
