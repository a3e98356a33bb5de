package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Every member killed at once (a power cut) and started again by its supervisor. Each restarts from its checkpoint
 * and joins through the others only, so nobody answers anybody: after restart-join-timeout (20 s here) the first
 * seed node must form the consortium again, the others join it, and training finishes on one model.
 */
class WholeConsortiumRestartIT {

  @Test
  void everyMemberKilledAtOnce_theFirstSeedFormsTheClusterAgainAndTrainingFinishes() throws Exception {
    ChaosScript run = ChaosScript.run("whole-consortium-restart-it", Duration.ofMinutes(6),
        "--scenario", "all-restart", "--members", "5", "--rounds", "30");
    JsonNode r = run.report();
    String context = run.output();
    assertEquals(5, r.get("kills").asInt(), context);
    assertEquals("site-1 start 2", r.get("reformed_after_everyone_was_down").path(0).asText(), context);
    assertEquals(1, r.get("reformed_after_everyone_was_down").size(), context);
    assertEquals(0, r.get("islands").size(), context);
    assertEquals(30, r.get("rounds_committed").asInt(), context);
    assertTrue(r.get("final_hashes_agree").asBoolean(), context);
    assertEquals(0, r.get("lost_rounds").asInt() + r.get("repeated_rounds").asInt() + r.get("forked_rounds").asInt(),
        context);
    assertEquals(0, run.exitCode(), context);
  }
}
