package org.fedmesh.node.membership;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.fedmesh.node.FedmeshNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SeedListFallbackTest {
  private final ActorTestKit kit = ActorTestKit.create("fedmesh", ConfigFactory.parseString("""
      pekko.remote.artery.canonical.hostname = 127.0.0.1
      pekko.remote.artery.canonical.port = 0
      pekko.cluster.seed-node-timeout = 1s
      pekko.loglevel = WARNING
      """).withFallback(FedmeshNode.defaults()));

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void restartedFirstSeed_nobodyElseAnswers_formsTheClusterAfterTheTimeout() throws Exception {
    String nobody = "127.0.0.1:" + freePort(); // the other member, down like everyone else
    Address self = Cluster.get(kit.system()).selfMember().address();
    String me = self.host().get() + ":" + self.port().get();
    SeedList seeds = SeedList.choose(List.of(me, nobody), me, true);
    TestProbe<SelfUp> up = kit.createTestProbe();
    Cluster.get(kit.system()).subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
    // As FedmeshNode starts a restarted member: through the others only, which never answer.
    Cluster.get(kit.system()).manager().tell(new JoinSeedNodes(seeds.seeds().stream()
        .map(s -> AddressFromURIString.parse("pekko://fedmesh@" + s)).toList()));

    Duration timeout = Duration.ofSeconds(2);
    long spawned = System.nanoTime();
    kit.spawn(SeedListFallback.create("fedmesh", seeds.fallback(), timeout), "seed-list-fallback");

    up.expectMessageClass(SelfUp.class, Duration.ofSeconds(30));
    assertTrue(System.nanoTime() - spawned >= timeout.toNanos(), "it waited restart-join-timeout for the others");
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
