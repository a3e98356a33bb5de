package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.deploy.demo.EmbeddedConsortium.MemberSpec;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.node.LocalTraining;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five real cluster members split 3|2 in the middle of a round, the coordinator's host on the minority side, by
 * Artery's test mode (blackholed links in both directions). The minority must commit nothing after the split, the
 * majority must fail the coordinator over and go on, and the minority's members, downed and restarted from their
 * checkpoints like a supervisor would, must catch up: no round committed twice or with two hashes.
 */
class PartitionTest {
  private static final Duration LONG = Duration.ofMinutes(3);
  private static final List<String> ALL = List.of("node-1", "node-2", "node-3", "node-4", "node-5");
  private static final List<String> MINORITY = List.of("node-1", "node-2");
  private static final List<String> MAJORITY = List.of("node-3", "node-4", "node-5");
  private static final long SPLIT_ROUND = 5;
  private static final long ROUNDS = 14;

  @TempDir
  Path checkpoints;

  private final CommitLog log = new CommitLog();

  @Test
  void split3to2_minorityWithTheCoordinator_commitsNothingMajorityGoesOnAndMinorityCatchesUp() throws Exception {
    List<MemberSpec> specs = plan();
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, log)) {
      CountDownLatch split = new CountDownLatch(1);
      splitWhenAllReduceStarts(consortium, split);
      assertTrue(split.await(LONG.toSeconds(), TimeUnit.SECONDS), "round " + SPLIT_ROUND + " reached the ring");
      long splitRound = log.latest("node-1") + 1;

      // The minority downs itself (keep-majority) and its systems stop; the majority goes on without it.
      for (String m : MINORITY) {
        consortium.member(m).node().system().getWhenTerminated().toCompletableFuture()
            .get(LONG.toSeconds(), TimeUnit.SECONDS);
      }
      assertTrue(log.awaitRound(MAJORITY, splitRound + 2, LONG), "the majority went on: " + consortium.hashes());
      for (String m : MINORITY) {
        // At most the split round itself, if every participant had agreed on it before the links went down.
        assertTrue(log.latest(m) <= splitRound, m + " committed on the minority side: " + log.of(m));
      }

      // Heal the majority's side of the links, then restart the minority's members from their checkpoints.
      for (String m : MAJORITY) {
        for (String gone : MINORITY) {
          throttle(consortium.member(m).node().system(), consortium.member(gone).node().system(), false);
        }
      }
      for (String m : MINORITY) {
        ClusterWatch.awaitRemoved(consortium.member("node-3").node().system(), consortium.member(m).spec().port(),
            LONG);
        restart(consortium, m);
      }
      assertTrue(superviseUntilEveryoneReaches(consortium, ROUNDS), "everyone reached round " + ROUNDS + ": "
          + where(consortium));
      log.assertConsistent(ROUNDS, ALL);
      for (String m : MINORITY) {
        assertTrue(log.of(m).stream().anyMatch(CommitLog.Entry::caughtUp), m + " caught up: " + log.of(m));
      }
    }
  }

  /** Starts the member again from its checkpoint, with fresh training, as its supervisor would. */
  private static void restart(EmbeddedConsortium consortium, String nodeId) {
    MemberSpec spec = consortium.member(nodeId).spec();
    LocalTraining training = (LocalTraining) ((GatedUpdates) spec.updates()).training();
    consortium.startMember(spec.withUpdates(GatedUpdates.counting(training.fresh()).paced(400)));
  }

  /**
   * Waits (woken by commits) until every member holds {@code round}. A restarted minority member whose system
   * stops again (downed while it joined on a slow machine, say) is started once more, as systemd's
   * {@code Restart=on-failure} would, at most twice each and announced on the console for diagnosis.
   */
  private boolean superviseUntilEveryoneReaches(EmbeddedConsortium consortium, long round) throws Exception {
    long deadline = System.nanoTime() + LONG.toNanos();
    Map<String, Integer> restarts = new HashMap<>();
    while (System.nanoTime() < deadline) {
      if (log.awaitRound(ALL, round, Duration.ofSeconds(2))) {
        return true;
      }
      for (String m : MINORITY) {
        if (consortium.member(m).node().system().whenTerminated().isCompleted()
            && restarts.merge(m, 1, Integer::sum) <= 2) {
          System.out.println("PartitionTest: restarted " + m + " stopped again at round " + log.latest(m)
              + "; starting it once more, as its supervisor would");
          ClusterWatch.awaitRemoved(consortium.member("node-3").node().system(), consortium.member(m).spec().port(),
              LONG);
          restart(consortium, m);
        }
      }
    }
    return false;
  }

  /** Each member's last adopted rounds and whether its actor system still runs: what a failure needs to show. */
  private String where(EmbeddedConsortium consortium) {
    StringBuilder b = new StringBuilder();
    for (String m : ALL) {
      List<CommitLog.Entry> entries = log.of(m);
      b.append(String.format("%n  %s (%s): ", m,
          consortium.member(m).node().system().whenTerminated().isCompleted() ? "stopped" : "running"));
      entries.subList(Math.max(0, entries.size() - 3), entries.size()).forEach(e -> b.append(e.round())
          .append(e.caughtUp() ? " caught up " : " committed ").append(e.hash(), 0, 12).append("; "));
    }
    return b.toString();
  }

  /**
   * Cuts the minority off the majority (both directions, from both sides) when node-1's ring starts the split
   * round (or the first one after it, should the watcher be subscribed late).
   */
  private static void splitWhenAllReduceStarts(EmbeddedConsortium consortium, CountDownLatch split) {
    var system = consortium.member("node-1").node().system();
    var watcher = system.systemActorOf(Behaviors.receive(RingAllReduce.AllReduceStarted.class)
        .onMessage(RingAllReduce.AllReduceStarted.class, started -> {
          if (started.attempt().round() < SPLIT_ROUND) {
            return Behaviors.same();
          }
          for (String a : MINORITY) {
            for (String b : MAJORITY) {
              throttle(consortium.member(a).node().system(), consortium.member(b).node().system(), true);
              throttle(consortium.member(b).node().system(), consortium.member(a).node().system(), true);
            }
          }
          split.countDown();
          return Behaviors.stopped();
        })
        .build(), "split-on-all-reduce", Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(RingAllReduce.AllReduceStarted.class, watcher));
  }

  /** Blackholes (or restores) what {@code from} sends to and receives from {@code to}. */
  private static void throttle(ActorSystem<?> from, ActorSystem<?> to, boolean cut) {
    try {
      ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(from);
      RemoteActorRefProvider provider = (RemoteActorRefProvider) classic.provider();
      Object both = scalaObject("org.apache.pekko.remote.transport.ThrottlerTransportAdapter$Direction$Both$");
      Object mode = scalaObject(cut ? "org.apache.pekko.remote.transport.ThrottlerTransportAdapter$Blackhole$"
          : "org.apache.pekko.remote.transport.ThrottlerTransportAdapter$Unthrottled$");
      var command = new ThrottlerTransportAdapter.SetThrottle(to.address(),
          (ThrottlerTransportAdapter.Direction) both, (ThrottlerTransportAdapter.ThrottleMode) mode);
      scala.concurrent.Await.result(provider.transport().managementCommand(command),
          scala.concurrent.duration.Duration.create(10, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("could not change the link from " + from.address() + " to " + to.address(), e);
    }
  }

  private static Object scalaObject(String className) throws ReflectiveOperationException {
    return Class.forName(className).getField("MODULE$").get(null);
  }

  private List<MemberSpec> plan() {
    DemoData data = DemoData.load("breast-cancer", 1);
    List<Dataset> parts = Partitioner.iid(data.data().train(), ALL.size(), 1);
    Map<String, Object> shared = new HashMap<>(Map.of(
        "fedmesh.rounds", ROUNDS,
        "fedmesh.model.spec", "logistic",
        "fedmesh.coordinator.min-participants", 3,
        "fedmesh.coordinator.round-deadline", "20s",
        "pekko.remote.artery.advanced.test-mode", "on"));
    List<MemberSpec> planned = EmbeddedConsortium.plan(parts, 2, ConfigFactory.parseMap(shared));
    List<String> seeds = new ArrayList<>();
    planned.forEach(spec -> seeds.add("127.0.0.1:" + spec.port()));
    List<MemberSpec> specs = new ArrayList<>();
    for (MemberSpec spec : planned) {
      // Every member is a seed: a restarted minority member joins through the majority.
      // Paced training, so that the split lands in a round and the minority's members take part before it.
      specs.add(spec.with("fedmesh.checkpoint-dir", checkpoints.resolve(spec.nodeId()).toString())
          .with("fedmesh.seed-nodes", seeds).withUpdates(GatedUpdates.counting(spec.updates()).paced(400)));
    }
    return specs;
  }
}
