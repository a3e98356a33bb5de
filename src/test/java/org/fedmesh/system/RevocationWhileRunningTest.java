package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.membership.CertifiedMembers;
import org.fedmesh.node.membership.MembershipGuard;
import org.fedmesh.node.round.CommitListener;
import org.junit.jupiter.api.Test;

/**
 * A member's certificate is revoked while it is in the cluster: the others reload the revocation list without a
 * restart, down it (which ends its associations: a downed member is quarantined), and it stops.
 */
class RevocationWhileRunningTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void revokeMemberInTheCluster_othersDownItAndItStops() throws Exception {
    DemoData data = DemoData.load("breast-cancer", 1);
    Config shared = ConfigFactory.parseMap(Map.of(
        "fedmesh.rounds", 1,
        "fedmesh.tls.revocation-check-interval", "500ms"));
    try (LogCapture log = LogCapture.of(MembershipGuard.class);
         EmbeddedConsortium consortium = EmbeddedConsortium.start(
             EmbeddedConsortium.plan(Partitioner.iid(data.data().train(), 3, 1), 2, shared), CommitListener.NONE,
             EmbeddedConsortium.Transport.MUTUAL_TLS)) {
      log.await(l -> l.contains("verified as 'node-3'"), 3, TIMEOUT);
      ActorSystem<?> revoked = consortium.member("node-3").node().system();
      int port = (Integer) revoked.address().port().get();

      consortium.revoke("node-3");

      log.await(l -> l.contains("Downing member " + revoked.address() + " (node-3)") && l.contains("was revoked"),
          TIMEOUT);
      for (String other : new String[] {"node-1", "node-2"}) {
        ActorSystem<?> system = consortium.member(other).node().system();
        ClusterWatch.awaitRemoved(system, port, TIMEOUT);
        assertEquals(Set.of("node-1", "node-2"), Set.copyOf(CertifiedMembers.get(system).nodeIds().values()));
      }
      revoked.getWhenTerminated().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertTrue(revoked.whenTerminated().isCompleted(), "the revoked member stopped");
    }
  }
}
