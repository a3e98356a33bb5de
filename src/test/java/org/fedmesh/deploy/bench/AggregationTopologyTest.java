package org.fedmesh.deploy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.fedmesh.deploy.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small real run of both topologies (3 cluster members over Artery, 3,000 parameters): no timing asserted. */
class AggregationTopologyTest {
  private static final List<String> FIELDS = List.of("bytes_sent_busiest_member", "bytes_received_busiest_member",
      "peak_heap_bytes", "raw_loopback_bytes_per_second", "ring_bytes_per_second");

  @TempDir
  Path dir;

  @Test
  void starAndRing_reportTheirFields_andTheStarsBusiestMemberReceivesMore() throws Exception {
    JsonNode star = run("star");
    JsonNode ring = run("ring");
    assertEquals("star", star.get("topology").asText());
    assertEquals("ring", ring.get("topology").asText());
    for (JsonNode r : List.of(star, ring)) {
      for (String field : FIELDS) {
        assertTrue(r.path(field).asDouble() > 0, field + " in " + r);
      }
      assertTrue(r.get("exact").asBoolean(), r.toString());
    }
    long vectorBytes = ring.get("vector_bytes").asLong();
    // Ring: each member sends and receives 2(n-1)/n vectors; star: the hub receives n-1 whole vectors.
    assertEquals(2 * 2 * vectorBytes / 3, ring.get("bytes_received_busiest_member").asLong(), 64);
    assertEquals(2 * vectorBytes, star.get("bytes_received_busiest_member").asLong());
    assertTrue(star.get("bytes_received_busiest_member").asLong() > ring.get("bytes_received_busiest_member").asLong());
  }

  private JsonNode run(String topology) throws Exception {
    Path report = dir.resolve(topology + ".json");
    int exit = Main.commandLine().execute("bench", "aggregation", "--topology", topology, "--nodes", "3", "--params",
        "3000", "--warmup", "0", "--repetitions", "1", "--raw-loopback-mb", "16", "--report", report.toString());
    assertEquals(0, exit);
    return new ObjectMapper().readTree(report.toFile());
  }
}
