package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.deploy.demo.EmbeddedConsortium.MemberSpec;
import org.fedmesh.node.data.Partitioner;
import org.junit.jupiter.api.Test;

/**
 * Malformed traffic on a member's Artery port while the consortium trains over mutual TLS: random bytes, TLS records
 * with impossible lengths, and connections that never speak. The member must stay up and keep training, and what one
 * peer can make it log must stay bounded.
 */
class WireGarbageTest {
  private static final Duration LONG = Duration.ofMinutes(2);
  private static final int GARBAGE_CONNECTIONS = 300;
  private static final int OVERSIZED_RECORDS = 30;
  private static final int SILENT_CONNECTIONS = 30;
  /** Enough rounds that training outlasts the attack on a quiet machine (a round takes 0.1-0.2 s here). */
  private static final long ROUNDS = 200;

  @Test
  void garbageOversizedRecordsAndSilentConnections_memberStaysUpKeepsTrainingAndLogsWithinBounds() throws Exception {
    CommitLog commits = new CommitLog();
    DemoData data = DemoData.load("breast-cancer", 1);
    List<MemberSpec> specs = new ArrayList<>();
    for (MemberSpec spec : EmbeddedConsortium.plan(Partitioner.iid(data.data().train(), 3, 1), 2,
        ConfigFactory.parseMap(Map.of("fedmesh.rounds", ROUNDS)))) {
      specs.add(spec.withUpdates(GatedUpdates.counting(spec.updates()).paced(100)));
    }
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, commits,
        EmbeddedConsortium.Transport.MUTUAL_TLS)) {
      assertTrue(commits.awaitRound(List.of("node-1", "node-2", "node-3"), 2, LONG), "training started");
      int port = consortium.member("node-2").spec().port();
      List<Socket> silent = new ArrayList<>();
      try (LogCapture log = LogCapture.warnings()) {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < GARBAGE_CONNECTIONS; i++) {
          byte[] garbage = new byte[512];
          random.nextBytes(garbage);
          send(port, garbage);
        }
        for (int i = 0; i < OVERSIZED_RECORDS; i++) {
          // A TLS handshake record header announcing 65,535 bytes, then a little of it.
          byte[] record = new byte[64];
          random.nextBytes(record);
          record[0] = 0x16;
          record[1] = 0x03;
          record[2] = 0x03;
          record[3] = (byte) 0xff;
          record[4] = (byte) 0xff;
          send(port, record);
        }
        for (int i = 0; i < SILENT_CONNECTIONS; i++) {
          silent.add(new Socket(InetAddress.getLoopbackAddress(), port));
        }
        long reached = commits.latest("node-2");
        assertTrue(reached + 3 <= ROUNDS, "the attack ended before training did (round " + reached + ")");
        assertTrue(commits.awaitRound(List.of("node-1", "node-2", "node-3"), reached + 3, LONG),
            "node-2 kept training under the attack: " + consortium.hashes());
        var self = Cluster.get(consortium.member("node-2").node().system());
        assertEquals(MemberStatus.up(), self.selfMember().status());
        // The refusal log allows 20 lines per interval in all; the rest is summed up in the next line it writes.
        long lines = log.lines().size();
        assertTrue(lines <= 25, GARBAGE_CONNECTIONS + OVERSIZED_RECORDS + " bad connections made the members log "
            + lines + " warnings:\n" + String.join("\n", log.lines()));
      } finally {
        for (Socket s : silent) {
          s.close();
        }
      }
      assertTrue(commits.awaitRound(List.of("node-1", "node-2", "node-3"), ROUNDS, LONG), "all rounds committed");
      commits.assertConsistent(ROUNDS, List.of("node-1", "node-2", "node-3"));
    }
  }

  private static void send(int port, byte[] bytes) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
    }
  }
}
