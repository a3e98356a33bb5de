package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A ring's entries must be what the members they name run: participant and ring endpoint in one actor system, whose
 * certificate names the entry's node id. Refs at other members' addresses are resolved, never contacted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoundRulesTest {
  private static final String A = "pekko://fedmesh@127.0.0.1:25521";
  private static final String B = "pekko://fedmesh@127.0.0.1:25522";
  private ActorTestKit kit;

  @BeforeAll
  void start() {
    kit = ActorTestKit.create("fedmesh", ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        """).withFallback(ConfigFactory.load()));
  }

  @AfterAll
  void stop() {
    kit.shutdownTestKit();
  }

  private RingMember entry(String nodeId, String participantAt, String ringAt) {
    ActorRefResolver resolver = ActorRefResolver.get(kit.system());
    ActorRef<ParticipantCommand> participant = resolver.resolveActorRef(participantAt + "/user/participant");
    ActorRef<AllReduceProtocol.Command> ring = resolver.resolveActorRef(ringAt + "/user/ring");
    return new RingMember(nodeId, participant, ring);
  }

  private static Function<Address, Optional<String>> certified(Map<String, String> byAddress) {
    return address -> Optional.ofNullable(byAddress.get(address.toString()));
  }

  @Test
  void bindingRefusal_entriesAtTheirCertifiedMembers_none() {
    List<RingMember> ring = List.of(entry("site-a", A, A), entry("site-b", B, B));
    assertEquals(Optional.empty(), RoundRules.bindingRefusal(ring, certified(Map.of(A, "site-a", B, "site-b"))));
  }

  @Test
  void bindingRefusal_ringEndpointElsewhere_refusedNamingBothAddresses() {
    Optional<String> refusal = RoundRules.bindingRefusal(List.of(entry("site-a", A, A), entry("site-b", B, A)),
        certified(Map.of(A, "site-a", B, "site-b")));
    assertTrue(refusal.orElseThrow().contains("entry for site-b puts its participant at " + B
        + " and its ring endpoint at " + A), refusal.get());
  }

  @Test
  void bindingRefusal_entryAtAnotherMembersCertifiedAddress_refused() {
    Optional<String> refusal = RoundRules.bindingRefusal(List.of(entry("site-b", A, A)),
        certified(Map.of(A, "site-a")));
    assertEquals(Optional.of("the ring's entry for site-b is at " + A + ", which is certified as site-a"), refusal);
  }

  @Test
  void bindingRefusal_withoutCertificates_onlyTheAddressesAreChecked() {
    assertEquals(Optional.empty(), RoundRules.bindingRefusal(List.of(entry("site-b", A, A)), a -> Optional.empty()));
  }
}
