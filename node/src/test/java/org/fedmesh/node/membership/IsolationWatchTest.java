package org.fedmesh.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.NodeSettings.MembershipSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IsolationWatchTest {
  // No split brain resolver: the watch, not the resolver, must be what stops a member here.
  private static final Config CLUSTER = ConfigFactory.parseString("""
      pekko.remote.artery.canonical.hostname = 127.0.0.1
      pekko.remote.artery.canonical.port = 0
      pekko.cluster.downing-provider-class = ""
      pekko.loglevel = WARNING
      """).withFallback(FedmeshNode.defaults());
  private static final Duration EXIT_AFTER = Duration.ofSeconds(1);

  private final List<ActorTestKit> kits = new ArrayList<>();

  @AfterEach
  void stop() {
    kits.forEach(ActorTestKit::shutdownTestKit);
  }

  private ActorTestKit member() {
    return member(CLUSTER);
  }

  private ActorTestKit member(Config config) {
    ActorTestKit kit = ActorTestKit.create("fedmesh", config);
    kits.add(kit);
    return kit;
  }

  /** Joins {@code kit} to the cluster at {@code seed} (itself for a new cluster) and waits until it is Up. */
  private static void joinAndAwaitUp(ActorTestKit kit, ActorTestKit seed) {
    TestProbe<SelfUp> up = kit.createTestProbe();
    Cluster cluster = Cluster.get(kit.system());
    cluster.subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    cluster.manager().tell(Join.create(Cluster.get(seed.system()).selfMember().address()));
    up.expectMessageClass(SelfUp.class, Duration.ofSeconds(20));
  }

  private static IsolationWatch.Status status(ActorTestKit kit, ActorRef<IsolationWatch.Command> watch) {
    TestProbe<IsolationWatch.Status> probe = kit.createTestProbe();
    watch.tell(new IsolationWatch.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  private static Optional<CoordinatedShutdown.Reason> awaitShutdown(ActorTestKit kit) throws Exception {
    kit.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return CoordinatedShutdown.get(kit.system()).getShutdownReason();
  }

  @Test
  void clusterOfOne_withThreeExpected_leavesWithTheIsolationReasonAfterTheDelay() throws Exception {
    ActorTestKit island = member();
    joinAndAwaitUp(island, island);
    long spawned = System.nanoTime();
    island.spawn(IsolationWatch.create(new MembershipSettings(3, EXIT_AFTER, Duration.ZERO)), "isolation-watch");

    assertEquals(Optional.of(IsolationWatch.REASON), awaitShutdown(island));
    assertTrue(System.nanoTime() - spawned >= EXIT_AFTER.toNanos(), "it waited isolation-exit-after first");
  }

  @Test
  void clusterOfOne_withOneExpected_stopsTheClockAndStays() throws Exception {
    ActorTestKit alone = member();
    joinAndAwaitUp(alone, alone);
    ActorRef<IsolationWatch.Command> watch =
        alone.spawn(IsolationWatch.create(new MembershipSettings(1, EXIT_AFTER, Duration.ZERO)), "isolation-watch");

    TestProbe<Void> observer = alone.createTestProbe();
    observer.awaitAssert(Duration.ofSeconds(10), () -> {
      IsolationWatch.Status s = status(alone, watch);
      assertEquals(1, s.upAndReachable());
      assertFalse(s.clockRunning(), "a majority of one is present: no clock");
      return null;
    });
    // Steady state reached; three times the delay later it is still running.
    assertThrows(TimeoutException.class, () -> alone.system().getWhenTerminated().toCompletableFuture()
        .get(3 * EXIT_AFTER.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Test
  void notJoinedYet_keepsWaitingForTheCluster() throws Exception {
    ActorTestKit joining = member();
    ActorRef<IsolationWatch.Command> watch = joining.spawn(
        IsolationWatch.create(new MembershipSettings(3, EXIT_AFTER, Duration.ZERO)), "isolation-watch");

    IsolationWatch.Status s = status(joining, watch);
    assertEquals(0, s.upAndReachable());
    assertFalse(s.clockRunning(), "restarting would not help a member that is still joining");
    assertThrows(TimeoutException.class, () -> joining.system().getWhenTerminated().toCompletableFuture()
        .get(3 * EXIT_AFTER.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Test
  void majorityLost_whenThePeerCrashes_leaves() throws Exception {
    ActorTestKit first = member();
    // terminate() then stops it as a crash would: without leaving, so the first must find it unreachable
    ActorTestKit second = member(ConfigFactory.parseString(
        "pekko.coordinated-shutdown.run-by-actor-system-terminate = off").withFallback(CLUSTER));
    joinAndAwaitUp(first, first);
    joinAndAwaitUp(second, first);
    ActorRef<IsolationWatch.Command> watch =
        first.spawn(IsolationWatch.create(new MembershipSettings(3, EXIT_AFTER, Duration.ZERO)), "isolation-watch");
    TestProbe<Void> observer = first.createTestProbe();
    observer.awaitAssert(Duration.ofSeconds(10), () -> {
      IsolationWatch.Status s = status(first, watch);
      assertEquals(2, s.upAndReachable());
      assertFalse(s.clockRunning(), "two of three is a majority");
      return null;
    });

    second.system().terminate();

    assertEquals(Optional.of(IsolationWatch.REASON), awaitShutdown(first));
  }
}
