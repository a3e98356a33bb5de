package org.fedmesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {

  private static NodeSettings parse(String hocon) {
    return NodeSettings.fromConfig(ConfigFactory.parseString(hocon).withFallback(FedmeshNode.defaults())
        .resolve());
  }

  @Test
  void defaults_withANodeId_areValid() {
    NodeSettings s = parse("fedmesh.node-id = site-a");
    assertEquals("site-a", s.nodeId());
    assertTrue(s.aggregation().secure());
    assertEquals(3, s.coordinator().minParticipants());
  }

  @Test
  void everyProblem_isReportedAtOnce() {
    NodeSettings.InvalidSettingsException e = assertThrows(NodeSettings.InvalidSettingsException.class, () -> parse("""
        fedmesh {
          node-id = "bad name!"
          port = 70000
          seed-nodes = ["nohost"]
          model.spec = "perceptron"
          training.optimizer = "rmsprop:0.1"
          coordinator.min-participants = 2
        }
        """));
    String message = e.getMessage();
    assertEquals(6, e.problems().size(), message);
    assertTrue(message.contains("fedmesh.node-id"), message);
    assertTrue(message.contains("fedmesh.port"), message);
    assertTrue(message.contains("fedmesh.seed-nodes"), message);
    assertTrue(message.contains("fedmesh.model.spec"), message);
    assertTrue(message.contains("fedmesh.training"), message);
    assertTrue(message.contains("reveals each one's update"), message);
  }

  @Test
  void twoParticipants_allowedOnlyWithTheUnsafeFlag() {
    NodeSettings s = parse("fedmesh { node-id = a, coordinator.min-participants = 2,"
        + " aggregation.allow-unsafe-two-party = on }");
    assertEquals(2, s.coordinator().minParticipants());
  }

  @Test
  void expectedMembers_defaultsToTheSeedNodes_andTheWatchIsOn() {
    NodeSettings s = parse("fedmesh { node-id = a, seed-nodes = [\"h:1\", \"h:2\", \"h:3\", \"h:4\", \"h:5\"] }");
    assertEquals(5, s.membership().expectedMembers());
    assertEquals(3, s.membership().majority());
    assertEquals(java.time.Duration.ofSeconds(60), s.membership().isolationExitAfter());
    assertTrue(s.membership().watchIsolation());
    assertEquals(java.time.Duration.ofSeconds(60), s.membership().restartJoinTimeout());
  }

  @Test
  void isolationWatch_offWithoutSeedsOrWithZeroDelay() {
    assertEquals(false, parse("fedmesh.node-id = a").membership().watchIsolation());
    assertEquals(false, parse("fedmesh { node-id = a, expected-members = 3, isolation-exit-after = 0s }")
        .membership().watchIsolation());
    assertEquals(2, parse("fedmesh { node-id = a, expected-members = 3 }").membership().majority());
  }

  @Test
  void membershipProblems_areReportedWithTheOthers() {
    NodeSettings.InvalidSettingsException e = assertThrows(NodeSettings.InvalidSettingsException.class,
        () -> parse("fedmesh { node-id = a, port = -1, expected-members = -2, isolation-exit-after = -5s,"
            + " restart-join-timeout = -1s }"));
    assertEquals(4, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("fedmesh.restart-join-timeout"), e.getMessage());
    assertTrue(e.getMessage().contains("fedmesh.expected-members"), e.getMessage());
    assertTrue(e.getMessage().contains("fedmesh.isolation-exit-after"), e.getMessage());
  }

  @Test
  void wrongType_isNamed() {
    NodeSettings.InvalidSettingsException e = assertThrows(NodeSettings.InvalidSettingsException.class,
        () -> parse("fedmesh { node-id = a, rounds = many }"));
    assertTrue(e.getMessage().contains("fedmesh.rounds"), e.getMessage());
  }

  @Test
  void strategy_choosesTheServerStepAndWhetherTrainingIsProximal() {
    NodeSettings fedavg = parse("fedmesh { node-id = a, training.proximal-mu = 0.5 }");
    assertEquals(Strategy.FEDAVG, fedavg.aggregation().strategy());
    assertEquals(0.0, fedavg.training().proximalMu(), "only fedprox adds the proximal term");

    NodeSettings fedprox = parse("fedmesh { node-id = a, aggregation.strategy = fedprox }");
    assertEquals("fedavg", fedprox.aggregation().strategy().serverOptimizer());
    assertEquals(0.01, fedprox.training().proximalMu(), "fedprox's default mu");
    assertEquals(0.3, parse("fedmesh { node-id = a, aggregation.strategy = fedprox, training.proximal-mu = 0.3 }")
        .training().proximalMu());

    NodeSettings fedyogi = parse("fedmesh { node-id = a, aggregation.strategy = fedyogi }");
    assertTrue(fedyogi.aggregation().strategy().adaptive());
    assertEquals(6, FedmeshNode.serverOptimizer(fedyogi.aggregation()).initialState(3).length,
        "an adaptive server step keeps two moments per parameter");
  }

  @Test
  void strategyProblems_areNamed() {
    NodeSettings.InvalidSettingsException unknown = assertThrows(NodeSettings.InvalidSettingsException.class,
        () -> parse("fedmesh { node-id = a, aggregation.strategy = fedsgd }"));
    assertEquals(1, unknown.problems().size(), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("fedmesh.aggregation.strategy: 'fedsgd' is not a strategy: use one of"
        + " fedavg, fedprox, fedavgm, fedadam, fedyogi"), unknown.getMessage());

    NodeSettings.InvalidSettingsException noMu = assertThrows(NodeSettings.InvalidSettingsException.class,
        () -> parse("fedmesh { node-id = a, aggregation.strategy = fedprox, training.proximal-mu = 0 }"));
    assertTrue(noMu.getMessage().contains("fedmesh.training.proximal-mu: must be above 0 for strategy fedprox"),
        noMu.getMessage());
  }

  @Test
  void dp_offByDefault_andNoRoundLimitFromIt() {
    NodeSettings s = parse("fedmesh { node-id = a, rounds = 7 }");
    assertEquals(org.fedmesh.node.privacy.DpSettings.Level.NONE, s.dp().level());
    assertEquals(7, s.roundsWithinBudget());
  }

  @Test
  void dp_budgetLimitsTheRounds_toTheMostWithinIt() {
    // Member level, z = 1, delta 1e-5: epsilon 4.377 after one round, 6.573 after two, 8.385 after three.
    NodeSettings s = parse("fedmesh { node-id = a, rounds = 10, dp { level = member, epsilon-budget = 8 } }");
    assertEquals(2, s.roundsWithinBudget());
    assertTrue(s.dp().after(2, 1).epsilon() <= 8 && s.dp().after(3, 1).epsilon() > 8);
    NodeSettings untilStopped = parse("fedmesh { node-id = a, rounds = 0, dp { level = member, epsilon-budget = 8 } }");
    assertEquals(2, untilStopped.roundsWithinBudget());
    NodeSettings noBudget = parse("fedmesh { node-id = a, rounds = 0, dp.level = member }");
    assertEquals(0, noBudget.roundsWithinBudget());
  }

  @Test
  void dpProblems_areNamed() {
    NodeSettings.InvalidSettingsException e = assertThrows(NodeSettings.InvalidSettingsException.class,
        () -> parse("fedmesh { node-id = a, dp { level = record, noise = 0, clip = -1, delta = 1, sample-rate = 2,"
            + " epsilon-budget = -1 } }"));
    assertEquals(5, e.problems().size(), e.getMessage());
    for (String key : new String[] {"dp.noise", "dp.clip", "dp.delta", "dp.sample-rate", "dp.epsilon-budget"}) {
      assertTrue(e.getMessage().contains("fedmesh." + key + ":"), key + " in " + e.getMessage());
    }
    assertTrue(assertThrows(NodeSettings.InvalidSettingsException.class,
        () -> parse("fedmesh { node-id = a, dp.level = everything }")).getMessage()
        .contains("fedmesh.dp: 'everything' is not none, record or member"));
    assertTrue(assertThrows(NodeSettings.InvalidSettingsException.class,
        () -> parse("fedmesh { node-id = a, dp.level = member, aggregation.secure = off }")).getMessage()
        .contains("needs aggregation.secure = on"));
    assertTrue(assertThrows(NodeSettings.InvalidSettingsException.class,
        () -> parse("fedmesh { node-id = a, dp { level = member, colluders = 3 } }")).getMessage()
        .contains("fedmesh.dp.colluders: 3 must be at least 0 and below coordinator.min-participants (3)"));
    assertTrue(assertThrows(NodeSettings.InvalidSettingsException.class,
        () -> parse("fedmesh { node-id = a, dp { level = member, epsilon-budget = 1 } }")).getMessage()
        .contains("fedmesh.dp.epsilon-budget: 1.0 is spent by the first round already"));
  }

  @Test
  void noiseShares_areTheSmallestSumLessTheColluders() {
    assertEquals(2, parse("fedmesh { node-id = a, dp.level = member }").noiseShares());
    assertEquals(5, parse("fedmesh { node-id = a, coordinator.min-participants = 5, dp { level = member,"
        + " colluders = 0 } }").noiseShares());
  }

  @Test
  void protocolVersion_travelsInPlainText_andADifferenceNamesBoth() {
    Map<String, String> mine = SharedSettings.fingerprint(parse("fedmesh.node-id = a"));
    assertEquals(Integer.toString(SharedSettings.PROTOCOL_VERSION), mine.get("protocol.version"));
    Map<String, String> older = new java.util.HashMap<>(mine);
    older.remove("protocol.version");
    Map<String, String> newer = new java.util.HashMap<>(mine);
    newer.put("protocol.version", "99");
    assertEquals("", SharedSettings.versionDifference(mine, mine, "the coordinator's host"));
    assertEquals(java.util.List.of("protocol.version"), SharedSettings.differingKeys(mine, newer));
    String toNewer = SharedSettings.versionDifference(mine, newer, "the coordinator's host");
    assertTrue(toNewer.contains("this member speaks fedmesh protocol " + SharedSettings.PROTOCOL_VERSION
        + ", the coordinator's host protocol 99"), toNewer);
    String toOlder = SharedSettings.versionDifference(mine, older, "the coordinator's host");
    assertTrue(toOlder.contains("protocol none (a release from before protocol versions)"), toOlder);
  }

  @Test
  void dpSettings_areSharedSettings() {
    NodeSettings a = parse("fedmesh { node-id = a, dp { level = member, noise = 1.0 } }");
    NodeSettings b = parse("fedmesh { node-id = b, dp { level = member, noise = 1.1 } }");
    NodeSettings off = parse("fedmesh { node-id = c }");
    assertEquals(java.util.List.of("dp.noise"), SharedSettings.differingKeys(SharedSettings.fingerprint(a),
        SharedSettings.fingerprint(b)));
    assertTrue(SharedSettings.differingKeys(SharedSettings.fingerprint(a), SharedSettings.fingerprint(off))
        .contains("dp.level"));
  }
}
