package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four members as separate JVM processes of the shaded jar, the coordinator's host killed with SIGKILL in the
 * middle of a round: the project's chaos script, run and judged from here after the jar is packaged.
 */
class KillCoordinatorProcessIT {
  @TempDir
  Path dir;

  @Test
  void coordinatorProcess_killedWithSigkill_noRoundLostOrRepeatedAndSurvivorsAgree() throws Exception {
    Path root = Path.of(System.getProperty("user.dir")).getParent(); // the deploy module runs its tests
    Path script = root.resolve("deploy/chaos/kill-coordinator.sh");
    Path report = dir.resolve("chaos.json");
    Process chaos = new ProcessBuilder("bash", script.toString(), report.toString())
        .directory(root.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("chaos.log").toFile())
        .start();
    assertTrue(chaos.waitFor(10, TimeUnit.MINUTES), "the chaos script finished");
    String log = Files.readString(dir.resolve("chaos.log"));
    assertEquals(0, chaos.exitValue(), log);
    JsonNode r = new ObjectMapper().readTree(report.toFile());
    assertEquals(0, r.get("lost_rounds").asInt(), log);
    assertEquals(0, r.get("repeated_rounds").asInt(), log);
    assertTrue(r.get("final_hashes_agree").asBoolean(), log);
    assertTrue(r.get("committed_rounds").asInt() > 0, log);
    assertTrue(r.get("seconds_from_kill_to_next_commit").isNumber(), log);
    assertTrue(!r.get("killed_round_committed_before_kill").asBoolean(), "killed mid-round: " + log);
  }
}
