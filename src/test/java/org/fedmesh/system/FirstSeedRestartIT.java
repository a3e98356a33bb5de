package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The first seed node is killed mid-training and started again at once, while the other members are frozen for
 * 2 s, longer than its seed-node-timeout (500 ms here): what a loaded machine looks like to it. Listing itself
 * first, it would start a one-member cluster of its own; restarting from its checkpoint it must instead wait for
 * the others, rejoin them and catch up to the same final model.
 */
class FirstSeedRestartIT {

  @Test
  void firstSeed_restartedWhileTheOthersDoNotAnswer_rejoinsThemAndEndsOnTheSameModel() throws Exception {
    ChaosScript run = ChaosScript.run("first-seed-restart-it", Duration.ofMinutes(6),
        "--scenario", "first-seed", "--members", "5", "--rounds", "30");
    JsonNode r = run.report();
    String context = run.output();
    assertEquals(0, r.get("islands").size(), "no restart formed a cluster of its own: " + context);
    assertTrue(r.get("restarts").get("site-1").asInt() >= 1, context);
    for (JsonNode rejoined : r.get("restarts_rejoined_existing_cluster").get("site-1")) {
      assertTrue(rejoined.asBoolean(), "every start of site-1 after the kill joined the others: " + context);
    }
    assertEquals(30, r.get("final_rounds").get("site-1").asInt(), context);
    assertTrue(r.get("final_hashes_agree").asBoolean(), context);
    assertEquals(0, r.get("lost_rounds").asInt() + r.get("repeated_rounds").asInt() + r.get("forked_rounds").asInt(),
        context);
    assertEquals(0, run.exitCode(), context);
  }
}
