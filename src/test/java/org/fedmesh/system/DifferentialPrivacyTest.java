package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.node.LocalTraining;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.privacy.PrivacyAccountant;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.RoundCoordinator;
import org.junit.jupiter.api.Test;

/**
 * Three real members train with differential privacy and secure aggregation on the breast-cancer set: they agree on
 * every model, each member's accountant says what the exact bound says for what it released, and an epsilon budget
 * ends training at the last round within it, although more rounds were configured.
 */
class DifferentialPrivacyTest {

  private static Config shared(String level, int rounds, double budget) {
    Map<String, Object> values = new HashMap<>();
    values.put("fedmesh.rounds", rounds);
    values.put("fedmesh.model.spec", "logistic");
    values.put("fedmesh.training.optimizer", "sgd:0.1");
    values.put("fedmesh.coordinator.min-participants", 3);
    values.put("fedmesh.dp.level", level);
    values.put("fedmesh.dp.noise", 1.0);
    values.put("fedmesh.dp.clip", 1.0);
    values.put("fedmesh.dp.delta", 1e-5);
    values.put("fedmesh.dp.epsilon-budget", budget);
    values.put("fedmesh.dp.sample-rate", 0.25);
    return ConfigFactory.parseMap(values);
  }

  private static List<Dataset> parts() {
    return Partitioner.iid(DemoData.load("breast-cancer", 1).data().train(), 3, 1);
  }

  @Test
  void memberLevel_budgetStopsTrainingAtTheLastRoundWithinIt() throws Exception {
    // z = 1, delta 1e-5: epsilon 6.573 after two rounds, 8.385 after three; 10 rounds configured.
    try (LogCapture log = LogCapture.of(RoundCoordinator.class);
         EmbeddedConsortium consortium = EmbeddedConsortium.start(parts(), 2, shared("member", 10, 8.0),
             CommitListener.NONE)) {
      log.await(l -> l.startsWith("Training complete: 2 rounds committed"), Duration.ofMinutes(3));
      assertTrue(consortium.awaitRound(2, Duration.ofMinutes(1)), "round 2 everywhere: " + consortium.hashes());
      assertEquals(1, Set.copyOf(consortium.hashes().values()).size(), "one model: " + consortium.hashes());
      double exact = PrivacyAccountant.memberLevel(1.0, 2, 1e-5).epsilon();
      for (EmbeddedConsortium.Member m : consortium.members()) {
        assertEquals(2, consortium.latest(m.spec().nodeId()).round(), m.spec().nodeId() + " went past the budget");
        double spent = ((LocalTraining) m.spec().updates()).privacySpent().epsilon();
        assertEquals(exact, spent, 1e-12, m.spec().nodeId());
        assertTrue(spent <= 8.0);
      }
    }
  }

  @Test
  void recordLevel_membersAgree_andEachSpendsTheStepsItTook() throws Exception {
    int rounds = 3;
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(parts(), 2, shared("record", rounds, 0),
        CommitListener.NONE)) {
      assertTrue(consortium.awaitRound(rounds, Duration.ofMinutes(3)), "3 rounds: " + consortium.hashes());
      assertEquals(1, Set.copyOf(consortium.hashes().values()).size(), "one model: " + consortium.hashes());
      // Each round is ceil(1 / 0.25) = 4 DP-SGD steps.
      double expected = PrivacyAccountant.recordLevel(1.0, 0.25, 4L * rounds, 1e-5).epsilon();
      for (EmbeddedConsortium.Member m : consortium.members()) {
        assertEquals(expected, ((LocalTraining) m.spec().updates()).privacySpent().epsilon(), 1e-12,
            m.spec().nodeId());
      }
    }
  }
}
