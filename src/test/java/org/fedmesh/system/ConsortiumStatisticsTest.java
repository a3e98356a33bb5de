package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.deploy.demo.EmbeddedConsortium.MemberSpec;
import org.fedmesh.node.LocalTraining;
import org.fedmesh.node.data.BundledDatasets;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.data.Scaler;
import org.fedmesh.node.data.Splits;
import org.fedmesh.node.data.TrainTest;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.ConsortiumScaling;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.node.round.RoundCoordinator;
import org.junit.jupiter.api.Test;

/**
 * Real members over Artery with secure aggregation, each holding unscaled, label-skewed rows of the breast-cancer
 * set: the first round learns the pooled feature statistics (no member's own), every member trains on rows scaled
 * with them, and a member that joins later gets them with the model it catches up to and trains with them too.
 */
class ConsortiumStatisticsTest {

  @Test
  void membersStandardiseWithThePooledStatistics_andALateMemberGetsThemWithTheModel() throws Exception {
    TrainTest split = Splits.trainTest(BundledDatasets.load("breast-cancer"), 0.25, 1);
    List<Dataset> parts = Partitioner.dirichlet(split.train(), 4, 0.3, 5);
    Config shared = ConfigFactory.parseMap(Map.of("fedmesh.rounds", 0, "fedmesh.model.spec", "logistic",
        "fedmesh.training.optimizer", "sgd:0.1", "fedmesh.coordinator.min-participants", 3));
    List<MemberSpec> specs = EmbeddedConsortium.plan(parts, List.of(), 2, shared, true);
    GatedUpdates late = GatedUpdates.counting(specs.get(3).updates());
    Map<Long, ModelState> models = new ConcurrentHashMap<>();
    CommitListener listener = (nodeId, model, loss) -> {
      if (nodeId.equals("node-1")) {
        models.put(model.round(), model);
      }
    };
    try (LogCapture coordinatorLog = LogCapture.of(RoundCoordinator.class);
         EmbeddedConsortium consortium = EmbeddedConsortium.start(specs.subList(0, 3), listener)) {
      assertTrue(consortium.awaitRound(3, Duration.ofMinutes(2)), "three rounds: " + consortium.hashes());

      ModelState initial = ModelState.of(0, specs.get(0).updates().initialParameters(), new float[0]);
      ModelState first = models.get(1L);
      ConsortiumScaling scaling = specs.get(0).updates().consortiumScaling();
      assertArrayEquals(scaling.network(initial.parameters()), scaling.network(first.parameters()),
          "the statistics round trains nothing");
      Scaler.Description pooled = Scaler.standardize(split.train()).describe();
      Scaler.Description learnt = scaling.scaler(first.parameters()).describe();
      // Over the first three members' rows only: the fourth was not there.
      Scaler.Description threeMembers = Scaler.standardize(concat(parts.subList(0, 3))).describe();
      for (int c = 0; c < pooled.shift().length; c++) {
        assertEquals(threeMembers.shift()[c], learnt.shift()[c], 1e-5 * (1 + Math.abs(threeMembers.shift()[c])));
        assertEquals(threeMembers.divisor()[c], learnt.divisor()[c], 1e-4 * threeMembers.divisor()[c]);
      }

      consortium.startMember(specs.get(3).withUpdates(late));
      long joinedAt = consortium.committedRound("node-1");
      // It trains only once it holds the model, statistics and all; an update from unscaled rows or feature sums in
      // a training round would not decode (the coordinator says so) and would never be committed.
      assertTrue(late.trainedOnce.await(2, java.util.concurrent.TimeUnit.MINUTES), "the late member never trained");
      long trainedFor = late.trainings.keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
      assertTrue(consortium.awaitRound(Math.max(trainedFor, joinedAt) + 2, Duration.ofMinutes(2)),
          "rounds go on with the late member: " + consortium.hashes());
      assertEquals(1, Set.copyOf(consortium.hashes().values()).size(), "one model: " + consortium.hashes());
      assertTrue(coordinatorLog.lines().stream().noneMatch(l -> l.contains("did not decode")),
          String.join("\n", coordinatorLog.lines()));
      ModelState latest = consortium.latest("node-4");
      assertArrayEquals(scaling.scaler(first.parameters()).describe().shift(),
          scaling.scaler(latest.parameters()).describe().shift(), "the statistics never change");
      LocalTraining judge = (LocalTraining) specs.get(0).updates();
      double accuracy = judge.trainer().evaluate(scaling.network(latest.parameters()),
          scaling.prepare(latest.parameters(), split.test())).accuracy();
      assertTrue(accuracy > 0.9, "held-out accuracy " + accuracy);
    }
  }

  private static Dataset concat(List<Dataset> parts) {
    Dataset first = parts.get(0);
    int rows = parts.stream().mapToInt(Dataset::rows).sum();
    float[] features = new float[rows * first.cols()];
    int at = 0;
    for (Dataset p : parts) {
      System.arraycopy(p.features(), 0, features, at, p.features().length);
      at += p.features().length;
    }
    return new Dataset("three members", features, rows, first.cols(), new float[rows], first.numClasses(),
        first.classNames());
  }
}
