package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.node.LocalTraining;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.model.LocalTrainer;
import org.fedmesh.node.model.ModelSpec;
import org.fedmesh.node.model.OptimizerSpec;
import org.fedmesh.node.model.TrainingConfig;
import org.fedmesh.node.privacy.PrivacyAccountant;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.node.round.RoundCoordinator;
import org.fedmesh.node.round.SecureEvaluation;
import org.junit.jupiter.api.Test;

/**
 * Three real members train with differential privacy and secure aggregation on the breast-cancer set: they agree on
 * every model, each member's accountant says what the exact bound says for what it released, an epsilon budget
 * ends training at the last round within it, although more rounds were configured, and the secure evaluation adds
 * up the members' held-out rows exactly.
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

  /**
   * Record level, each member also holding out a third of the test rows: what the secure sum says about each
   * model equals, count for count, what the members' own rows say about it added up.
   */
  @Test
  void recordLevel_membersAgree_spendWhatTheyTook_andTheSecureEvaluationAddsUpTheirHeldOutRows() throws Exception {
    int rounds = 3;
    DemoData data = DemoData.load("breast-cancer", 1);
    List<Dataset> heldOut = Partitioner.iid(data.data().test(), 3, 1);
    Map<Long, SecureEvaluation> evaluations = new ConcurrentHashMap<>();
    Map<Long, ModelState> models = new ConcurrentHashMap<>();
    CommitListener listener = new CommitListener() {
      @Override
      public void committed(String nodeId, ModelState model, double loss) {
        if (nodeId.equals("node-2")) {
          models.put(model.round(), model);
        }
      }

      @Override
      public void evaluated(String nodeId, SecureEvaluation evaluation) {
        if (nodeId.equals("node-2")) {
          evaluations.put(evaluation.modelRound(), evaluation);
        }
      }
    };
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(
        EmbeddedConsortium.plan(parts(), heldOut, 2, shared("record", rounds, 0)), listener)) {
      assertTrue(consortium.awaitRound(rounds, Duration.ofMinutes(3)), "3 rounds: " + consortium.hashes());
      assertEquals(1, Set.copyOf(consortium.hashes().values()).size(), "one model: " + consortium.hashes());
      // Each round is ceil(1 / 0.25) = 4 DP-SGD steps.
      double expected = PrivacyAccountant.recordLevel(1.0, 0.25, 4L * rounds, 1e-5).epsilon();
      for (EmbeddedConsortium.Member m : consortium.members()) {
        assertEquals(expected, ((LocalTraining) m.spec().updates()).privacySpent().epsilon(), 1e-12,
            m.spec().nodeId());
      }
      // Round r's sum judged round r - 1's model: rounds 1 and 2 are known here (round 0's is the initial model).
      try (LocalTrainer judge = new LocalTrainer(ModelSpec.logistic(), data.data().train().cols(), 2,
          TrainingConfig.of(1, 32, OptimizerSpec.parse("sgd:0.1"), 1))) {
        for (long r = 1; r < rounds; r++) {
          SecureEvaluation secure = evaluations.get(r);
          assertTrue(secure != null, "a secure evaluation of round " + r + ": " + evaluations.keySet());
          long[] direct = new long[4];
          for (Dataset rows : heldOut) {
            long[] own = judge.classCounts(models.get(r).parameters(), rows);
            for (int k = 0; k < direct.length; k++) {
              direct[k] += own[k];
            }
          }
          assertArrayEquals(java.util.Arrays.copyOfRange(direct, 0, 2), secure.correct(), "round " + r);
          assertArrayEquals(java.util.Arrays.copyOfRange(direct, 2, 4), secure.rows(), "round " + r);
          assertEquals(data.data().test().rows(), secure.totalRows());
        }
      }
    }
  }
}
