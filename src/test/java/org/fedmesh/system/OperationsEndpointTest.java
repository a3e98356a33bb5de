package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.deploy.operations.ListenerChain;
import org.fedmesh.deploy.operations.MemberOperations;
import org.fedmesh.deploy.operations.OperationsEndpoint;
import org.fedmesh.deploy.operations.OperationsSettings;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.LocalUpdates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real members over mutual TLS, each with its operations endpoint on an ephemeral loopback port, read over
 * HTTP as an operator would: not ready before joining, ready after; {@code /status} follows the commits;
 * {@code /metrics} is Prometheus text whose counters rise with the rounds, with each phase's duration, the
 * checkpoint write time and an attempt abandoned because a member's training failed once, counted by its reason.
 */
class OperationsEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** A sample line of the text format: name, optional labels, value (timestamps are not used by Micrometer). */
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (\\S+)");
  private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

  @TempDir
  Path dir;

  @Test
  void endpoints_onRunningMembers_answerAsDocumented() throws Exception {
    DemoData data = DemoData.load("breast-cancer", 1);
    List<Dataset> parts = Partitioner.iid(data.data().train(), 3, 1);
    Config shared = ConfigFactory.parseMap(Map.of(
        "fedmesh.rounds", 0,
        "fedmesh.model.spec", "logistic",
        "fedmesh.training.optimizer", "sgd:0.05",
        "fedmesh.coordinator.min-participants", 3));
    Map<String, MemberOperations> operations = new HashMap<>();
    Map<String, CommitListener> listeners = new HashMap<>();
    List<EmbeddedConsortium.MemberSpec> specs = new ArrayList<>();
    AtomicBoolean failed = new AtomicBoolean();
    for (EmbeddedConsortium.MemberSpec spec : EmbeddedConsortium.plan(parts, 2, shared)) {
      Path checkpoints = dir.resolve(spec.nodeId());
      MemberOperations ops = new MemberOperations(spec.nodeId(), Optional.of(checkpoints));
      operations.put(spec.nodeId(), ops);
      listeners.put(spec.nodeId(), ops.listener(CommitListener.NONE));
      // node-3's training throws once, in round 3: that attempt is abandoned (member_failed) and retried.
      LocalUpdates training = !spec.nodeId().equals("node-3") ? spec.updates()
          : new GatedUpdates(spec.updates(), 3, () -> {
            if (failed.compareAndSet(false, true)) {
              throw new IllegalStateException("training fails once, on purpose");
            }
          }, () -> { });
      specs.add(new EmbeddedConsortium.MemberSpec(spec.nodeId(), spec.port(), ops.observe(training),
          MemberOperations.instrumented(spec.config().withFallback(ConfigFactory.parseMap(
              Map.of("fedmesh.checkpoint-dir", checkpoints.toString()))))));
    }
    Map<String, Integer> ports = new HashMap<>();
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(List.of(), ListenerChain.byMember(listeners),
        EmbeddedConsortium.Transport.MUTUAL_TLS)) {
      // node-2 first: its seed, node-1, is not running yet, so it cannot join.
      for (String id : List.of("node-2", "node-1", "node-3")) {
        EmbeddedConsortium.MemberSpec spec = specs.stream().filter(s -> s.nodeId().equals(id)).findFirst().get();
        FedmeshNode node = consortium.startMember(spec);
        OperationsEndpoint endpoint = operations.get(id).serve(new OperationsSettings(true, "127.0.0.1", 0),
            node.system(), consortium.identity(id), Optional.empty(), parts.get(0).rows());
        ports.put(id, endpoint.port());
        if (id.equals("node-2")) {
          HttpResponse<String> ready = get(ports.get(id), "/health/ready");
          assertEquals(503, ready.statusCode(), ready.body());
          JsonNode checks = JSON.readTree(ready.body()).path("checks");
          assertFalse(checks.path("joined").path("ok").asBoolean(), ready.body());
          assertTrue(checks.path("certificate").path("ok").asBoolean(), ready.body());
          assertEquals(200, get(ports.get(id), "/health/alive").statusCode());
        }
      }
      consortium.awaitAllUp(Duration.ofMinutes(1));
      int port = ports.get("node-2");
      awaitStatus(port, s -> s.path("ready").asBoolean(), "ready");
      assertEquals(200, get(port, "/health/ready").statusCode());

      JsonNode status = awaitStatus(port, s -> s.path("round").asLong() >= 2, "round 2 committed");
      long round = status.path("round").asLong();
      assertEquals("node-2", status.path("node_id").asText());
      assertTrue(Set.of("waiting", "training", "summing", "committing").contains(status.path("phase").asText()),
          status.toString());
      assertEquals(3, status.path("members").size(), status.toString());
      assertTrue(status.path("last_accuracy").isNull(), "no evaluation was configured: " + status);
      Map<String, Double> before = metrics(port);
      double committed = before.get("fedmesh_rounds_committed_total{node_id=\"node-2\"}");
      assertTrue(committed >= 2, "rounds committed " + committed);
      assertTrue(before.get("fedmesh_artery_sent_bytes_total{node_id=\"node-2\"}") > 0, before.toString());
      assertTrue(before.get("fedmesh_round_duration_seconds_count{node_id=\"node-2\"}") >= 2, before.toString());
      assertEquals(1.0, before.get("fedmesh_ready{node_id=\"node-2\"}"));

      // Two rounds beyond what the counter said (it may have moved on since the status above).
      long counted = (long) committed;
      JsonNode later = awaitStatus(port, s -> s.path("round").asLong() >= counted + 2, "two more rounds");
      long now = later.path("round").asLong();
      String hash = later.path("last_committed_hash").asText();
      // The journal's last line is the same commit when the status was built: its signers are the ring.
      assertEquals(Set.of("node-1", "node-2", "node-3"), names(later.path("participants")), later.toString());
      assertTrue(hash.length() == 64, later.toString());
      Map<String, Double> after = metrics(port);
      assertTrue(after.get("fedmesh_rounds_committed_total{node_id=\"node-2\"}") >= committed + 2,
          "counter rose with the rounds: " + committed + " -> " + after);
      assertTrue(after.get("fedmesh_artery_received_bytes_total{node_id=\"node-2\"}")
          > before.get("fedmesh_artery_received_bytes_total{node_id=\"node-2\"}"));
      assertTrue(after.get("fedmesh_committed_round{node_id=\"node-2\"}") >= now);
      assertTrue(now >= round, "rounds only rise");
      // Round 3's first attempt failed on node-3 and was retried: every member counts it, by reason.
      assertTrue(now >= 4, "round 3 is behind: " + now);
      assertTrue(after.get("fedmesh_attempts_aborted_total{node_id=\"node-2\",reason=\"member_failed\"}") >= 1,
          after.toString());
      assertTrue(metrics(ports.get("node-3")).get("fedmesh_training_failures_total{node_id=\"node-3\"}") >= 1);
      for (String phase : List.of("training", "summing", "committing")) {
        assertTrue(after.get("fedmesh_round_phase_duration_seconds_count{node_id=\"node-2\",phase=\"" + phase
            + "\"}") >= 2, phase + ": " + after);
      }
      assertTrue(after.get("fedmesh_checkpoint_write_duration_seconds_count{node_id=\"node-2\"}") >= 2,
          after.toString());
      assertTrue(after.get("fedmesh_checkpoint_write_duration_seconds_sum{node_id=\"node-2\"}") > 0,
          after.toString());
      assertEquals(405, HTTP.send(HttpRequest.newBuilder(uri(port, "/status"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
    // The endpoint closes with the member's actor system.
    assertTrue(refused(ports.get("node-2")), "endpoint still answering after the member stopped");
  }

  private static JsonNode awaitStatus(int port, Predicate<JsonNode> condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    JsonNode status = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = get(port, "/status");
      assertEquals(200, response.statusCode(), response.body());
      status = JSON.readTree(response.body());
      if (condition.test(status)) {
        return status;
      }
      Thread.sleep(100); // polling a deadline-bounded condition: the member's state is only visible over HTTP
    }
    throw new AssertionError("not " + what + " within 2 minutes; last status " + status);
  }

  /** Parses the text format strictly: every line is a comment of the format or a sample with a number. */
  private static Map<String, Double> metrics(int port) throws Exception {
    HttpResponse<String> response = get(port, "/metrics");
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
        response.headers().toString());
    Map<String, Double> samples = new HashMap<>();
    for (String line : response.body().split("\n")) {
      if (line.isEmpty() || COMMENT.matcher(line).matches()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not a Prometheus sample line: " + line);
      String value = m.group(3);
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)),
          value.equals("NaN") ? Double.NaN
              : value.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(value));
    }
    return samples;
  }

  private static Set<String> names(JsonNode array) {
    Set<String> names = new java.util.TreeSet<>();
    array.forEach(n -> names.add(n.asText()));
    return names;
  }

  private static boolean refused(int port) throws InterruptedException {
    try {
      get(port, "/health/alive");
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static HttpResponse<String> get(int port, String path) throws java.io.IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
