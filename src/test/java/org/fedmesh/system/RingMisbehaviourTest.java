package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.Behavior;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.deploy.demo.EmbeddedConsortium.MemberSpec;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.protocols.AllReduceProtocol.Command;
import org.junit.jupiter.api.Test;

/**
 * Real members in this JVM over Artery, one of them with a dishonest ring endpoint (see {@link MisbehavingRing}):
 * the coordinator must name that one, or when nobody can be named (garbage values), blame nobody and stop.
 */
class RingMisbehaviourTest {
  private static final Duration LONG = Duration.ofMinutes(2);
  /** A line that blames a member: names it as having failed, been silent or missed something. */
  private static final Pattern BLAMES_HONEST =
      Pattern.compile("node-[123] (failed|sent none|sent only|sent its successor|missed)|without \\[node-[123]");

  @Test
  void silentAfterContributed_isNamedAndLeftOut_andTheRoundCommitsWithoutIt() throws Exception {
    CommitLog commits = new CommitLog();
    // Silent in every round it takes part in (it may join the ring a few rounds late, once certified).
    // A deadline an honest member meets even on a loaded 2-core machine: a slow honest member would be left out too.
    // Enough rounds that node-4 is surely in a ring before the end: it joins while the others train, catches up,
    // and only then takes part (with few, fast rounds the training could end before it ever did).
    List<MemberSpec> specs = plan(4, 60, Map.of("fedmesh.coordinator.round-deadline", "8s"),
        "node-4", MisbehavingRing.silentFrom(1));
    try (LogCapture log = LogCapture.warnings();
         EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, commits)) {
      List<String> honest = List.of("node-1", "node-2", "node-3");
      String named = log.await(line -> line.contains("node-4 sent none of its own pieces to its successor"), LONG);
      Matcher round = Pattern.compile("^round (\\d+) attempt").matcher(named);
      assertTrue(round.find(), named);
      long stalled = Long.parseLong(round.group(1));
      assertTrue(commits.awaitRound(honest, stalled + 2, LONG), "the honest members went on: "
          + consortium.hashes());
      commits.assertConsistent(stalled + 2, honest);
      assertTrue(commits.takenPartIn("node-1").contains(stalled), "round " + stalled + " committed on its retry");
      assertFalse(commits.takenPartIn("node-4").contains(stalled), "node-4 was left out of its retry");
      for (String line : log.lines()) {
        assertFalse(BLAMES_HONEST.matcher(line).find(), "an honest member was blamed: " + line);
      }
    }
  }

  @Test
  void garbageValues_endInThePauseAfterTheConfiguredAttempts_blamingNoHonestMember() throws Exception {
    CommitLog commits = new CommitLog();
    List<MemberSpec> specs = plan(3, 10, Map.of("fedmesh.coordinator.max-garbage-attempts", 2),
        "node-3", MisbehavingRing.garbageFrom(2));
    try (LogCapture log = LogCapture.warnings();
         EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, commits)) {
      String pause = log.await(line -> line.startsWith("Training paused at round 2"), LONG);
      assertTrue(pause.contains("2 attempts in a row"), pause);
      assertTrue(pause.contains("[node-1, node-2, node-3]"), pause);
      assertTrue(pause.contains("fedmesh ca revoke"), pause);
      List<String> undecodable = log.lines().stream().filter(l -> l.startsWith("The sum of round 2")).toList();
      assertEquals(2, undecodable.size(), "one line per undecodable attempt: " + undecodable);
      undecodable.forEach(l -> assertTrue(l.contains("one of [node-1, node-2, node-3] sent values that are not a"
          + " masked update"), l));
      assertEquals(1, commits.latest("node-1"), "no round after the garbage began was committed");
      for (String line : log.lines()) {
        assertFalse(BLAMES_HONEST.matcher(line).find(), "an honest member was blamed: " + line);
      }
    }
  }

  private static List<MemberSpec> plan(int members, int rounds, Map<String, Object> extra, String culprit,
                                       UnaryOperator<Behavior<Command>> endpoint) {
    DemoData data = DemoData.load("breast-cancer", 1);
    Map<String, Object> shared = new HashMap<>(Map.of(
        "fedmesh.rounds", rounds,
        "fedmesh.model.spec", "logistic",
        "fedmesh.coordinator.min-participants", 3));
    shared.putAll(extra);
    List<MemberSpec> specs = new ArrayList<>();
    for (MemberSpec spec : EmbeddedConsortium.plan(Partitioner.iid(data.data().train(), members, 1), 2,
        ConfigFactory.parseMap(shared))) {
      specs.add(spec.nodeId().equals(culprit) ? spec.withRingEndpoint(endpoint) : spec);
    }
    return specs;
  }
}
