package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Subscribe;
import org.bouncycastle.asn1.x509.CRLReason;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.mpc.pki.RevocationList;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.membership.CertifiedMembers;
import org.fedmesh.node.membership.MemberTlsEngineProvider;
import org.fedmesh.node.membership.MembershipGuard;
import org.fedmesh.node.membership.RevocationWatch;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.QueryStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three members over mutual TLS, and outsiders in their own actor systems speaking Artery at them: without a
 * certificate (plain TCP), with a certificate of a foreign CA, an expired one, a revoked one, a valid one announcing
 * another node id, and a second certificate for a node id already in. Each tries to join through a member and to
 * ask a member's participant for its status. The outsiders trust every certificate, so any refusal is the members'.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MutualTlsTest {
  private static final Duration REFUSAL_LOGGED = Duration.ofSeconds(30);
  /** How long an answer that must not come is waited for; a certified outsider gets one well within it. */
  private static final Duration NO_REPLY = Duration.ofSeconds(5);

  private EmbeddedConsortium consortium;
  private LogCapture log;
  private Path outsiders;

  @BeforeAll
  void startConsortium() throws Exception {
    log = LogCapture.of(MemberTlsEngineProvider.class, MembershipGuard.class, RevocationWatch.class);
    outsiders = Files.createTempDirectory("fedmesh-outsiders");
    DemoData data = DemoData.load("breast-cancer", 1);
    Config shared = ConfigFactory.parseMap(Map.of(
        "fedmesh.rounds", 1,
        "fedmesh.tls.revocation-check-interval", "200ms"));
    consortium = EmbeddedConsortium.start(
        EmbeddedConsortium.plan(Partitioner.iid(data.data().train(), 3, 1), 2, shared), CommitListener.NONE,
        EmbeddedConsortium.Transport.MUTUAL_TLS);
  }

  @AfterAll
  void stop() {
    consortium.close();
    log.close();
    EmbeddedConsortium.deleteTree(outsiders);
  }

  @Test
  void members_eachVerifiesAllThreeByCertificate() throws Exception {
    log.await(l -> l.contains("verified as"), 9, REFUSAL_LOGGED);

    for (EmbeddedConsortium.Member m : consortium.members()) {
      CertifiedMembers certified = CertifiedMembers.get(m.node().system());
      assertTrue(certified.enforced());
      assertEquals(Set.of("node-1", "node-2", "node-3"), Set.copyOf(certified.nodeIds().values()));
    }
  }

  @Test
  void members_trainARoundOverMutualTls() throws Exception {
    assertTrue(consortium.awaitRound(1, Duration.ofMinutes(2)), "round 1 committed: " + consortium.hashes());
    assertEquals(1, Set.copyOf(consortium.hashes().values()).size(), "one model: " + consortium.hashes());
  }

  @Test
  void outsiderWithoutCertificate_plainTcp_nothingReachesAMemberAndTheRefusalIsLogged() throws Exception {
    ActorTestKit outsider = outsider("tcp", null, "intruder");
    assertKeptOut(outsider, l -> l.contains("an inbound connection") && l.contains("does not speak TLS"));
  }

  @Test
  void outsiderWithCertificateOfForeignCa_nothingReachesAMemberAndTheRefusalIsLogged() throws Exception {
    // The same consortium name as the real CA, but another key: only the signature tells them apart.
    ConsortiumCa foreign = ConsortiumCa.create("demo", Duration.ofDays(1));
    ActorTestKit outsider = outsider("tls-tcp", save(foreign.issue("foreigner", List.of("127.0.0.1"),
        Duration.ofDays(1))), "foreigner");
    assertKeptOut(outsider, l -> l.contains("'foreigner'") && l.contains("is not signed by this consortium's CA"));
  }

  @Test
  void outsiderWithExpiredCertificate_nothingReachesAMemberAndTheRefusalIsLogged() throws Exception {
    Path dir = outsiders.resolve("expired");
    ExpiredCertificates.issueExpired(consortium.pkiDir().resolve("ca"), "demo", "has-been", Duration.ofDays(1), dir);
    ActorTestKit outsider = outsider("tls-tcp", dir, "has-been");
    assertKeptOut(outsider, l -> l.contains("'has-been'") && l.contains("expired at"));
  }

  @Test
  void outsiderWithRevokedCertificate_nothingReachesAMemberAndTheRefusalIsLogged() throws Exception {
    MemberIdentity revoked = consortium.ca().issue("ex-member", List.of("127.0.0.1"), Duration.ofDays(1));
    Path list = consortium.revocationListFile();
    RevocationList next = consortium.ca().revoke(RevocationList.load(list, consortium.ca().certificate()),
        List.of(revoked.certificate().getSerialNumber()), CRLReason.affiliationChanged);
    next.save(list);
    log.await(l -> l.contains("Revocation list reloaded from " + list) && l.contains("number " + next.number()),
        3, REFUSAL_LOGGED);

    ActorTestKit outsider = outsider("tls-tcp", save(revoked), "ex-member");
    assertKeptOut(outsider, l -> l.contains("'ex-member'") && l.contains("was revoked by the consortium CA"));
  }

  @Test
  void memberAnnouncingAnotherNodeIdThanItsCertificate_isDownedAndTheReasonLogged() throws Exception {
    MemberIdentity mallory = consortium.ca().issue("mallory", List.of("127.0.0.1"), Duration.ofDays(1));
    ActorTestKit outsider = outsider("tls-tcp", save(mallory), "node-4"); // a node id no member holds
    int port = portOf(outsider.system());
    Cluster.get(outsider.system()).manager().tell(Join.create(memberAddress()));

    log.await(l -> l.contains("Downing member pekko://fedmesh@127.0.0.1:" + port + " (node-4)")
        && l.contains("is for 'mallory'"), REFUSAL_LOGGED);
    for (EmbeddedConsortium.Member m : consortium.members()) {
      ClusterWatch.awaitRemoved(m.node().system(), port, REFUSAL_LOGGED);
      assertFalse(CertifiedMembers.get(m.node().system()).nodeIds().containsKey(outsiderAddress(port)));
    }
    stopOutsider(outsider);
  }

  @Test
  void secondHolderOfANodeIdAlreadyIn_isDownedAndTheReasonLogged() throws Exception {
    MemberIdentity twin = consortium.ca().issue("node-3", List.of("127.0.0.1"), Duration.ofDays(1));
    ActorTestKit outsider = outsider("tls-tcp", save(twin), "node-3");
    int port = portOf(outsider.system());
    Cluster.get(outsider.system()).manager().tell(Join.create(memberAddress()));

    log.await(l -> l.contains("Downing member pekko://fedmesh@127.0.0.1:" + port + " (node-3)")
        && l.contains("is already held by the older member"), REFUSAL_LOGGED);
    for (EmbeddedConsortium.Member m : consortium.members()) {
      ClusterWatch.awaitRemoved(m.node().system(), port, REFUSAL_LOGGED);
    }
    stopOutsider(outsider);
  }

  /** The control: what the refused outsiders do reaches a member when the certificate is a current one. */
  @Test
  void outsiderWithCurrentCertificate_queryIsAnswered() throws Exception {
    MemberIdentity auditor = consortium.ca().issue("auditor", List.of("127.0.0.1"), Duration.ofDays(1));
    ActorTestKit outsider = outsider("tls-tcp", save(auditor), "auditor");
    try {
      TestProbe<CoordinatorCommand> replies = outsider.createTestProbe();
      participantOfFirstMember(outsider.system()).tell(new QueryStatus(replies.ref()));
      MemberStatus status = assertInstanceOf(MemberStatus.class, replies.receiveMessage(REFUSAL_LOGGED));
      assertEquals("node-1", status.member().nodeId());
    } finally {
      stopOutsider(outsider);
    }
  }

  /**
   * The outsider asks to join through the first member and asks its participant for a status: no reply within a
   * bounded wait, the outsider never sees itself join, no member lists it, and a member logged why.
   */
  private void assertKeptOut(ActorTestKit outsider, Predicate<String> refusal) throws Exception {
    try {
      int port = portOf(outsider.system());
      TestProbe<ClusterEvent.MemberEvent> ownMembership = outsider.createTestProbe();
      Cluster.get(outsider.system()).subscriptions().tell(Subscribe.create(ownMembership.ref(),
          ClusterEvent.MemberEvent.class));
      Cluster.get(outsider.system()).manager().tell(Join.create(memberAddress()));
      TestProbe<CoordinatorCommand> replies = outsider.createTestProbe();
      participantOfFirstMember(outsider.system()).tell(new QueryStatus(replies.ref()));

      String logged = log.await(refusal, REFUSAL_LOGGED);
      assertTrue(logged.startsWith("Refused TLS peer"), logged);
      replies.expectNoMessage(NO_REPLY);
      ownMembership.expectNoMessage(Duration.ofMillis(100)); // it had the whole wait above to arrive
      for (EmbeddedConsortium.Member m : consortium.members()) {
        for (Member seen : Cluster.get(m.node().system()).state().getMembers()) {
          assertFalse(seen.address().equals(outsiderAddress(port)), m.spec().nodeId() + " lists the outsider");
        }
      }
    } finally {
      stopOutsider(outsider);
    }
  }

  /**
   * Stops an outsider without failing the test when that takes long: a downed outsider's own cluster shutdown can
   * outlast the testkit's 10 s on a loaded machine, and by then everything the test checks has been checked.
   */
  private static void stopOutsider(ActorTestKit outsider) {
    ActorTestKit.shutdown(outsider.system(), Duration.ofSeconds(60), false);
  }

  private ActorTestKit outsider(String transport, Path identityDir, String announcedNodeId) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("pekko.remote.artery.transport", transport);
    settings.put("pekko.remote.artery.ssl.ssl-engine-provider", PermissiveTlsEngineProvider.class.getName());
    settings.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
    settings.put("pekko.remote.artery.canonical.port", 0);
    settings.put("pekko.cluster.roles", List.of("trainer", MembershipGuard.nodeIdRole(announcedNodeId)));
    settings.put("adversary.identity-dir", identityDir == null ? "" : identityDir.toString());
    return ActorTestKit.create(FedmeshNode.SYSTEM_NAME,
        ConfigFactory.parseMap(settings).withFallback(FedmeshNode.defaults()).resolve());
  }

  private Path save(MemberIdentity identity) throws Exception {
    Path dir = outsiders.resolve(identity.nodeId() + "-" + identity.certificate().getSerialNumber().toString(16));
    identity.save(dir);
    return dir;
  }

  private Address memberAddress() {
    return consortium.member("node-1").node().system().address();
  }

  private ActorRef<ParticipantCommand> participantOfFirstMember(ActorSystem<?> from) {
    return ActorRefResolver.get(from).resolveActorRef(memberAddress() + "/user/participant");
  }

  private static int portOf(ActorSystem<?> system) {
    return (Integer) system.address().port().get();
  }

  private static Address outsiderAddress(int port) {
    return new Address("pekko", FedmeshNode.SYSTEM_NAME, "127.0.0.1", port);
  }
}
