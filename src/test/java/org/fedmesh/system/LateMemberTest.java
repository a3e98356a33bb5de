package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.deploy.demo.EmbeddedConsortium.MemberSpec;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.round.CommitListener;
import org.junit.jupiter.api.Test;

/**
 * A member that comes to a mutual-TLS consortium after its last round (a site restarted late, as in the random
 * chaos run where a frozen coordinator host left, restarted and came back after the end) must still get the final
 * model. Over TLS the guard certifies a member only after it registers, so the coordinator, finished, has to hear
 * of the certification itself: the listing changed earlier, when the member did not count yet.
 */
class LateMemberTest {

  @Test
  void memberJoiningAfterTheLastRound_isBroughtUpToTheFinalModel() throws Exception {
    DemoData data = DemoData.load("breast-cancer", 1);
    Config shared = ConfigFactory.parseMap(Map.of("fedmesh.rounds", 2));
    List<MemberSpec> specs = EmbeddedConsortium.plan(Partitioner.iid(data.data().train(), 4, 1), 2, shared);
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(specs.subList(0, 3), CommitListener.NONE,
        EmbeddedConsortium.Transport.MUTUAL_TLS)) {
      assertTrue(consortium.awaitRound(2, Duration.ofMinutes(2)), "the first three finish: " + consortium.hashes());

      consortium.startMember(specs.get(3));

      assertTrue(consortium.awaitRound(2, Duration.ofMinutes(1)), "the late member catches up: " + consortium.hashes());
      assertEquals(1, Set.copyOf(consortium.hashes().values()).size(), "one final model: " + consortium.hashes());
      assertEquals(2, consortium.committedRound("node-4"));
    }
  }
}
