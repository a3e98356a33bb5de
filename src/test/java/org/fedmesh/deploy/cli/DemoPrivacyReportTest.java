package org.fedmesh.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fedmesh.deploy.bench.NumpyReferenceProbe;
import org.fedmesh.node.privacy.PrivacyAccountant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The demo with member-level DP, a budget smaller than the rounds asked for, and the numpy simulation: the report
 * says what the consortium spent and how the secure evaluation and the simulation went.
 */
class DemoPrivacyReportTest {

  @Test
  void memberLevelDemo_stopsAtTheBudget_andReportsEpsilonSecureAccuracyAndTheSimulation() throws Exception {
    Path report = Files.createTempFile("fedmesh-demo-dp", ".json");
    int exit = new CommandLine(new DemoCommand()).execute("--nodes", "3", "--rounds", "5", "--dataset",
        "breast-cancer", "--model", "softmax", "--optimizer", "sgd:0.1", "--tls", "off", "--dp", "member",
        "--dp-epsilon-budget", "8", "--numpy-simulation", "--no-centralized", "--report", report.toString());
    assertEquals(0, exit);
    JsonNode r = new ObjectMapper().readTree(report.toFile());
    // z = 1, delta 1e-5: two rounds spend 6.573, a third would spend 8.385.
    assertEquals(2, r.get("rounds").asInt(), r.toString());
    assertEquals("member", r.get("dp_level").asText());
    assertEquals(PrivacyAccountant.memberLevel(1.0, 2, 1e-5).epsilon(), r.get("dp_epsilon").asDouble(), 1e-12);
    assertEquals(3, r.get("dp_epsilon_per_member").size());
    // The sums of rounds 1 and 2 judged the models of rounds 0 and 1 on the test rows the members hold out.
    assertEquals(2, r.get("secure_accuracy_per_round").size(), r.toString());
    // The federated time ends with the last commit, before the consortium stops; the stop is reported apart.
    double federated = r.get("federated_seconds").asDouble();
    double shutdown = r.get("shutdown_seconds").asDouble();
    assertTrue(r.get("seconds_per_round").get(1).asDouble() <= federated && shutdown > 0
        && federated + shutdown <= r.get("wall_seconds").asDouble(), r.toString());
    assertEquals(r.get("accuracy_per_round").get(0).asDouble(), r.get("secure_accuracy_per_round").get(1).asDouble(),
        1.5 / 114, "one model, the same rows: at most a borderline row apart");
    if (NumpyReferenceProbe.numpyPresent()) {
      JsonNode sim = r.get("numpy_simulation");
      assertEquals(2, sim.get("accuracy_per_round").size(), r.toString());
      assertTrue(sim.get("accuracy_per_round").get(1).asDouble() > 0.85, "FedAvg in numpy learns: " + sim);
    } else {
      assertTrue(r.get("numpy_simulation") == null, r.toString());
    }
  }
}
