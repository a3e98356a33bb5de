package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.deploy.demo.EmbeddedConsortium.MemberSpec;
import org.fedmesh.node.LocalTraining;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four real cluster members in this JVM (so that three survivors can still aggregate securely) lose a member at
 * a chosen point of a round: the coordinator's host, a participant while training, a participant in the
 * all-reduce, a straggler, or everyone. A crash here stops the member's actor system without leaving the
 * cluster, so the others must detect it, and the split brain resolver must down it, as after a real crash.
 */
class FaultToleranceTest {
  private static final Duration LONG = Duration.ofMinutes(2);

  @TempDir
  Path checkpoints;

  private final CommitLog log = new CommitLog();

  @Test
  void coordinatorHost_crashesMidRound_survivorsGoOnWithoutLosingOrRepeatingARound() throws Exception {
    CountDownLatch roundFourStarted = new CountDownLatch(1);
    CountDownLatch crashed = new CountDownLatch(1);
    List<MemberSpec> specs = plan(4, 8, Map.of(), spec -> spec.nodeId().equals("node-2")
        ? spec.withUpdates(new GatedUpdates(spec.updates(), 4, () -> {
            roundFourStarted.countDown();
            awaitQuietly(crashed); // round 4 cannot finish before the coordinator's host is gone
          }, () -> { }))
        : spec);
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, log)) {
      assertTrue(roundFourStarted.await(LONG.toSeconds(), TimeUnit.SECONDS), "round 4 started");
      String host = oldest(consortium);
      consortium.crash(host);
      crashed.countDown();
      List<String> survivors = others(host);
      assertTrue(awaitRound(survivors, 8), "survivors reached round 8: " + consortium.hashes());
      log.assertConsistent(8, survivors);
      assertTrue(log.latest(host) < 4, host + " crashed before round 4 committed");
      Path ca = Audits.writePem(consortium.caCertificate(), checkpoints.resolve("ca.crt"));
      survivors.forEach(s -> Audits.assertPasses(checkpoints.resolve(s), ca));
    }
  }

  /**
   * The coordinator's host dies in the first round whose ring holds all four members, once every participant
   * attested and revealed (the first all-gather piece reaches it; it keeps that and the rest): the survivors'
   * all-gather cannot finish through it. The coordinator that takes over tells them to complete the attempt, and
   * commits it with the host's attestation in place of its signature: that round is trained once, never retried.
   */
  @Test
  void coordinatorHost_diesAfterEveryoneRevealed_theNewCoordinatorCompletesTheAttemptInsteadOfRetrying()
      throws Exception {
    Map<String, GatedUpdates> counters = new HashMap<>();
    // Enough rounds that node-4, started last, surely joins a ring before training ends (with 8, three members
    // once trained them all before it joined, and no round of four came).
    List<MemberSpec> specs = plan(4, 40, Map.of(), spec -> {
      GatedUpdates counting = GatedUpdates.counting(spec.updates());
      counters.put(spec.nodeId(), counting);
      return spec.withUpdates(counting);
    });
    EmbeddedConsortium[] running = new EmbeddedConsortium[1];
    CountDownLatch started = new CountDownLatch(1); // round 3 may come before start() returns
    CountDownLatch lost = new CountDownLatch(1);
    // The latest attempt whose ring holds all four members (node-4 may join a few rounds in), until the crash.
    java.util.concurrent.atomic.AtomicReference<org.fedmesh.protocols.AttemptId> ofFour =
        new java.util.concurrent.atomic.AtomicReference<>();
    specs.set(0, specs.get(0).withRingEndpoint(endpoint -> Behaviors.intercept(
        () -> new org.apache.pekko.actor.typed.BehaviorInterceptor<AllReduceProtocol.Command,
            AllReduceProtocol.Command>(AllReduceProtocol.Command.class) {
          @Override
          public org.apache.pekko.actor.typed.Behavior<AllReduceProtocol.Command> aroundReceive(
              org.apache.pekko.actor.typed.TypedActorContext<AllReduceProtocol.Command> ctx,
              AllReduceProtocol.Command msg, ReceiveTarget<AllReduceProtocol.Command> target) {
            if (msg instanceof RingAllReduce.Start start && start.ring().size() == 4 && lost.getCount() > 0) {
              ofFour.set(start.attempt());
            }
            if (msg instanceof AllReduceProtocol.Chunk c && c.attempt().equals(ofFour.get())
                && c.phase() == AllReduceProtocol.Phase.ALL_GATHER) {
              if (lost.getCount() > 0) {
                lost.countDown();
                new Thread(() -> {
                  awaitQuietly(started);
                  running[0].crash("node-1");
                }).start();
              }
              return Behaviors.same();
            }
            return target.apply(ctx, msg);
          }
        }, endpoint)));
    try (LogCapture coordinatorLog = LogCapture.of(org.fedmesh.node.round.RoundCoordinator.class);
         EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, log)) {
      running[0] = consortium;
      started.countDown();
      assertTrue(lost.await(LONG.toSeconds(), TimeUnit.SECONDS), "a four-member round's all-gather reached node-1");
      long round = ofFour.get().round();
      assertTrue(round >= 1 && round <= 38, "the round of four: " + round);
      List<String> survivors = others("node-1");
      assertTrue(awaitRound(survivors, round + 2), "survivors reached round " + (round + 2) + ": "
          + consortium.hashes());
      log.assertConsistent(round + 2, survivors);
      for (String s : survivors) {
        assertEquals(1, counters.get(s).timesTrained(round), s + " trained round " + round
            + " once: completed, not retried; " + String.join("\n", coordinatorLog.lines()));
      }
      // node-1 hosted the coordinator: the one that took over told the survivors to complete that round
      coordinatorLog.await(l -> l.contains("round " + round + " attempt") && l.contains("[node-1] are gone; telling"),
          LONG);
    }
  }

  @Test
  void participant_crashesWhileTraining_roundIsRedoneWithoutItAndItCatchesUpAfterRestart() throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    Map<String, GatedUpdates> counters = new HashMap<>();
    List<MemberSpec> specs = plan(4, 40, Map.of(), spec -> {
      GatedUpdates gate = spec.nodeId().equals("node-3")
          ? new GatedUpdates(spec.updates(), 3, () -> {
              blocked.countDown();
              awaitQuietly(never); // stuck in training until the member is killed
            }, () -> { })
          : GatedUpdates.counting(spec.updates()).paced(500);
      counters.put(spec.nodeId(), gate);
      return spec.withUpdates(gate);
    });
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, log)) {
      assertTrue(blocked.await(LONG.toSeconds(), TimeUnit.SECONDS));
      MemberSpec victim = consortium.member("node-3").spec();
      consortium.crash("node-3");
      never.countDown(); // let the dead member's training thread end
      List<String> survivors = others("node-3");
      assertTrue(awaitRound(survivors, 5), "round 3 went on without node-3");
      for (String s : survivors) {
        assertEquals(1, counters.get(s).timesTrained(3), s + " trained round 3 once: the retry reused it");
      }
      // as a restarted process would: same address and checkpoint, once the cluster has removed the dead one
      awaitRemoved(consortium, "node-1", victim.port());
      LocalTraining training = (LocalTraining) ((GatedUpdates) victim.updates()).training();
      consortium.startMember(victim.withUpdates(GatedUpdates.counting(training.fresh()).paced(500)));
      assertTrue(awaitRound(List.of("node-1", "node-2", "node-3", "node-4"), 40), "all reached round 40");
      log.assertConsistent(40, List.of("node-1", "node-2", "node-3", "node-4"));
      assertTrue(log.of("node-3").stream().anyMatch(e -> e.caughtUp()), "node-3 caught up from a peer");
      assertTrue(log.takenPartIn("node-3").stream().anyMatch(r -> r > 5), "node-3 took part again: "
          + log.of("node-3"));
      // Every history holds up offline, node-3's with its catch-up entry too.
      Path ca = Audits.writePem(consortium.caCertificate(), checkpoints.resolve("ca.crt"));
      for (String member : List.of("node-1", "node-2", "node-3", "node-4")) {
        Audits.assertPasses(checkpoints.resolve(member), ca);
      }
    }
  }

  @Test
  void participant_crashesInTheAllReduce_roundIsRedoneWithoutIt() throws Exception {
    Map<String, GatedUpdates> counters = new HashMap<>();
    CountDownLatch watching = new CountDownLatch(1);
    // an MLP of 74k parameters, so that the all-reduce lasts long enough for the kill to land inside it
    List<MemberSpec> specs = plan(4, 6, Map.of("fedmesh.model.spec", "mlp:256,256"), spec -> {
      GatedUpdates gate = new GatedUpdates(spec.updates(), 1, () -> awaitQuietly(watching), () -> { });
      counters.put(spec.nodeId(), gate);
      return spec.withUpdates(gate);
    });
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, log)) {
      // node-2 (a member from the first round on) is killed the moment it hands its masked update of round 3 to
      // the ring
      crashWhenAllReduceStarts(consortium, "node-2", 3);
      watching.countDown();
      List<String> survivors = others("node-2");
      assertTrue(awaitRound(survivors, 6), "survivors reached round 6");
      log.assertConsistent(6, survivors);
      assertTrue(log.latest("node-2") < 3, "node-2 died in round 3: " + log.of("node-2"));
      // The retry reuses the trained updates unless pieces node-2 sent before dying let a survivor finish part of
      // the sum: then the same updates over three members would reveal node-2's, and everyone trains again.
      int first = counters.get(survivors.get(0)).timesTrained(3);
      assertTrue(first == 1 || first == 2, "round 3 trained " + first + " times");
      for (String s : survivors) {
        assertEquals(first, counters.get(s).timesTrained(3), s + " decided like the others");
      }
    }
  }

  @Test
  void straggler_missingTheDeadline_isLeftOutThenRejoins() throws Exception {
    List<MemberSpec> specs = plan(4, 14, Map.of("fedmesh.coordinator.round-deadline", "3s"),
        spec -> spec.withUpdates(spec.nodeId().equals("node-4")
            ? new GatedUpdates(spec.updates(), 3, () -> sleepQuietly(8_000), () -> { }).paced(500)
            : GatedUpdates.counting(spec.updates()).paced(500)));
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, log)) {
      List<String> all = List.of("node-1", "node-2", "node-3", "node-4");
      assertTrue(awaitRound(all, 14), "everyone reached round 14: " + consortium.hashes());
      log.assertConsistent(14, all);
      assertFalse(log.takenPartIn("node-4").contains(3L), "node-4 was left out of round 3");
      assertTrue(log.takenPartIn("node-4").stream().anyMatch(r -> r > 3), "node-4 rejoined: " + log.of("node-4"));
    }
  }

  @Test
  void everyone_stopsAndRestarts_trainingResumesFromTheLastCommittedRound() throws Exception {
    List<MemberSpec> first = plan(3, 4, Map.of(), spec -> spec);
    Map<String, String> before;
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(first, log)) {
      assertTrue(awaitRound(List.of("node-1", "node-2", "node-3"), 4));
      before = consortium.hashes();
    }
    // the same members with the same checkpoints, asked for more rounds
    List<MemberSpec> again = new ArrayList<>();
    for (MemberSpec spec : first) {
      again.add(spec.with("fedmesh.rounds", 7));
    }
    CommitLog after = new CommitLog();
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(again, after)) {
      List<String> all = List.of("node-1", "node-2", "node-3");
      assertTrue(awaitRound(after, all, 7));
      for (String s : all) {
        assertEquals(5, after.of(s).get(0).round(), s + " resumed after round 4");
      }
      assertEquals(1, before.values().stream().distinct().count());
      // every member started from the round-4 model it had: round 5 only exists if they all held the same one
      after.assertConsistent(5, 7, all);
    }
  }

  // ------------------------------------------------------------------ helpers

  private List<MemberSpec> plan(int members, int rounds, Map<String, Object> extra,
                                Function<MemberSpec, MemberSpec> adjust) {
    DemoData data = DemoData.load("breast-cancer", 1);
    List<Dataset> parts = Partitioner.iid(data.data().train(), members, 1);
    Map<String, Object> shared = new HashMap<>(Map.of(
        "fedmesh.rounds", rounds,
        "fedmesh.model.spec", "logistic",
        "fedmesh.coordinator.min-participants", 3,
        "fedmesh.coordinator.round-deadline", "30s"));
    shared.putAll(extra);
    Config config = ConfigFactory.parseMap(shared);
    List<MemberSpec> specs = new ArrayList<>();
    for (MemberSpec spec : EmbeddedConsortium.plan(parts, 2, config)) {
      specs.add(adjust.apply(spec.with("fedmesh.checkpoint-dir", checkpoints.resolve(spec.nodeId()).toString())));
    }
    return specs;
  }

  private boolean awaitRound(List<String> members, long round) throws InterruptedException {
    return awaitRound(log, members, round);
  }

  private static boolean awaitRound(CommitLog log, List<String> members, long round) throws InterruptedException {
    return log.awaitRound(members, round, LONG);
  }

  /** Kills {@code nodeId} from another thread as soon as its ring endpoint starts the all-reduce of {@code round}. */
  private static void crashWhenAllReduceStarts(EmbeddedConsortium consortium, String nodeId, long round) {
    var system = consortium.member(nodeId).node().system();
    ActorRef<RingAllReduce.AllReduceStarted> watcher = system.systemActorOf(
        Behaviors.receive(RingAllReduce.AllReduceStarted.class)
            .onMessage(RingAllReduce.AllReduceStarted.class, started -> {
              if (started.attempt().round() != round) {
                return Behaviors.same();
              }
              new Thread(() -> consortium.crash(nodeId)).start();
              return Behaviors.stopped();
            })
            .build(),
        "crash-on-all-reduce", Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(RingAllReduce.AllReduceStarted.class, watcher));
  }

  /** Waits until the member seen from {@code observer} no longer lists anyone at {@code port}. */
  private static void awaitRemoved(EmbeddedConsortium consortium, String observer, int port)
      throws InterruptedException {
    ClusterWatch.awaitRemoved(consortium.member(observer).node().system(), port, LONG);
  }

  /** The member hosting the coordinator singleton: the oldest member of the cluster. */
  private static String oldest(EmbeddedConsortium consortium) {
    var system = consortium.members().get(0).node().system();
    Member oldest = null;
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (oldest == null || m.isOlderThan(oldest)) {
        oldest = m;
      }
    }
    int port = (Integer) oldest.address().port().get();
    return consortium.members().stream().filter(m -> m.spec().port() == port).findFirst().orElseThrow()
        .spec().nodeId();
  }

  private static List<String> others(String nodeId) {
    List<String> all = new ArrayList<>(List.of("node-1", "node-2", "node-3", "node-4"));
    all.remove(nodeId);
    return all;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
