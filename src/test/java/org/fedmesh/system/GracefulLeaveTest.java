package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.deploy.demo.EmbeddedConsortium.MemberSpec;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.membership.CoordinatorHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's host stops gracefully (coordinated shutdown, what SIGTERM runs in `fedmesh run`): it leaves the
 * cluster instead of being found unreachable and downed, the singleton moves to the next member, and the survivors go
 * on without a lost, repeated or forked round; the leaver's journal ends on a whole, verifiable commit.
 */
class GracefulLeaveTest {
  /**
   * A leaving coordinator may still run rounds while it leaves (several, on a fast machine): training is paced so
   * that a round takes at least {@link #PACE_MILLIS}, and there are enough rounds that some are left for the others.
   */
  private static final int ROUNDS = 40;
  private static final long PACE_MILLIS = 250;
  @TempDir
  Path checkpoints;

  @Test
  void coordinatorHost_leavesGracefully_handsOverWithoutBeingDownedAndNoRoundIsLost() throws Exception {
    DemoData data = DemoData.load("breast-cancer", 1);
    List<Dataset> parts = Partitioner.iid(data.data().train(), 4, 1);
    CommitLog log = new CommitLog();
    List<MemberSpec> specs = new ArrayList<>();
    for (MemberSpec spec : EmbeddedConsortium.plan(parts, 2, ConfigFactory.parseMap(Map.of(
        "fedmesh.rounds", ROUNDS, "fedmesh.model.spec", "logistic", "fedmesh.coordinator.min-participants", 3)))) {
      specs.add(spec.with("fedmesh.checkpoint-dir", checkpoints.resolve(spec.nodeId()).toString())
          .withUpdates(GatedUpdates.counting(spec.updates()).paced(PACE_MILLIS)));
    }
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, log)) {
      List<String> all = List.of("node-1", "node-2", "node-3", "node-4");
      assertTrue(log.awaitRound(all, 3, Duration.ofMinutes(2)), "round 3 everywhere: " + consortium.hashes());
      var observerSystem = consortium.member("node-2").node().system();
      String host = CoordinatorHost.CLUSTER_OLDEST.nodeId(observerSystem).orElseThrow();
      String observer = host.equals("node-2") ? "node-3" : "node-2";
      Queue<ClusterEvent.ClusterDomainEvent> seen = subscribe(consortium, observer);
      var hostAddress = consortium.member(host).node().system().address();

      long stop = System.nanoTime();
      consortium.member(host).node().close(); // coordinated shutdown: leave, hand over, stop
      long closed = System.nanoTime();
      long leaverLast = log.latest(host);
      List<String> survivors = all.stream().filter(m -> !m.equals(host)).toList();
      assertTrue(log.awaitRound(survivors, leaverLast + 1, Duration.ofMinutes(1)),
          "a round beyond the leaver's last (" + leaverLast + ") committed: " + consortium.hashes());
      long next = System.nanoTime();
      System.out.printf("%s left in %.1f s; the survivors committed round %d %.1f s after the stop began%n", host,
          (closed - stop) / 1e9, leaverLast + 1, (next - stop) / 1e9);
      // It may take part in rounds while it leaves (its coordinator still runs them); then the others go on alone,
      // to the last round, after which nothing is written and the journals can be audited.
      assertTrue(leaverLast < ROUNDS, "the leaver did not take part in every round");
      assertTrue(log.awaitRound(survivors, ROUNDS, Duration.ofMinutes(2)), "survivors reached round " + ROUNDS);
      log.assertConsistent(ROUNDS, survivors);

      List<String> about = seen.stream().filter(e -> e instanceof ClusterEvent.MemberEvent m
              && m.member().address().equals(hostAddress)).map(e -> e.getClass().getSimpleName()).toList();
      assertTrue(about.contains("MemberExited") || about.contains("MemberLeft"), "left: " + about);
      assertFalse(seen.stream().anyMatch(e -> e instanceof ClusterEvent.UnreachableMember u
          && u.member().address().equals(hostAddress)), "never found unreachable: " + seen);
      assertFalse(about.contains("MemberDowned"), "never downed: " + about);

      Path ca = Audits.writePem(consortium.caCertificate(), checkpoints.resolve("ca.crt"));
      Audits.assertPasses(checkpoints.resolve(host), ca); // its journal ends on a whole commit it can prove
      survivors.forEach(s -> Audits.assertPasses(checkpoints.resolve(s), ca));
    }
  }

  /** Every cluster event {@code observer} sees from now on. */
  private static Queue<ClusterEvent.ClusterDomainEvent> subscribe(EmbeddedConsortium consortium, String observer) {
    var system = consortium.member(observer).node().system();
    Queue<ClusterEvent.ClusterDomainEvent> seen = new ConcurrentLinkedQueue<>();
    ActorRef<ClusterEvent.ClusterDomainEvent> recorder = system.systemActorOf(
        Behaviors.receive(ClusterEvent.ClusterDomainEvent.class).onAnyMessage(e -> {
          seen.add(e);
          return Behaviors.same();
        }).build(), "graceful-leave-recorder", Props.empty());
    Cluster.get(system).subscriptions().tell(Subscribe.create(recorder, ClusterEvent.ClusterDomainEvent.class));
    return seen;
  }

}
