package org.fedmesh.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.fedmesh.node.membership.MemberCertification.Candidate;
import org.fedmesh.node.membership.MemberCertification.Certified;
import org.fedmesh.node.membership.MemberCertification.Refused;
import org.fedmesh.node.membership.MemberCertification.Unverified;
import org.fedmesh.node.membership.MemberCertification.Verdict;
import org.fedmesh.node.membership.PeerCertificates.Seen;
import org.junit.jupiter.api.Test;

/** The guard's verdicts: which members count, which wait to be verified, which are downed and why. */
class MemberCertificationTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final Instant NEXT_YEAR = NOW.plusSeconds(365L * 24 * 3600);
  private static final BigInteger REVOKED = BigInteger.valueOf(666);

  private static Candidate member(int port, String nodeId) {
    return new Candidate(new Address("pekko", "fedmesh", "127.0.0.1", port), port, Optional.ofNullable(nodeId));
  }

  private static List<Verdict> judge(List<Candidate> members, Map<Integer, Seen> seenByPort, boolean tls) {
    return MemberCertification.judge(members, tls,
        address -> Optional.ofNullable(seenByPort.get(address.getPort().orElse(-1))), REVOKED::equals, NOW);
  }

  @Test
  void judge_certificateNamesTheAnnouncedNodeId_certified() {
    List<Verdict> v = judge(List.of(member(1, "node-1")), Map.of(1, new Seen("node-1", BigInteger.ONE, NEXT_YEAR)),
        true);

    assertEquals(new Certified(member(1, "node-1"), "node-1"), v.get(0));
  }

  @Test
  void judge_certificateForAnotherNodeId_refusedNamingBoth() {
    List<Verdict> v = judge(List.of(member(1, "node-2")), Map.of(1, new Seen("mallory", BigInteger.ONE, NEXT_YEAR)),
        true);

    Refused refused = assertInstanceOf(Refused.class, v.get(0));
    assertTrue(refused.reason().contains("'node-2'") && refused.reason().contains("'mallory'"), refused.reason());
  }

  @Test
  void judge_revokedCertificate_refused() {
    List<Verdict> v = judge(List.of(member(1, "node-1")), Map.of(1, new Seen("node-1", REVOKED, NEXT_YEAR)), true);

    assertTrue(assertInstanceOf(Refused.class, v.get(0)).reason().contains("revoked"));
  }

  @Test
  void judge_expiredCertificate_refused() {
    List<Verdict> v = judge(List.of(member(1, "node-1")),
        Map.of(1, new Seen("node-1", BigInteger.ONE, NOW.minusSeconds(1))), true);

    assertTrue(assertInstanceOf(Refused.class, v.get(0)).reason().contains("expired"));
  }

  @Test
  void judge_noCertificateSeenYet_unverified() {
    List<Verdict> v = judge(List.of(member(1, "node-1")), Map.of(), true);

    assertInstanceOf(Unverified.class, v.get(0));
  }

  @Test
  void judge_noNodeIdRoleWithTls_refused() {
    List<Verdict> v = judge(List.of(member(1, null)), Map.of(1, new Seen("node-1", BigInteger.ONE, NEXT_YEAR)), true);

    assertTrue(assertInstanceOf(Refused.class, v.get(0)).reason().contains("no node id"));
  }

  @Test
  void judge_nodeIdClaimedTwice_theOlderKeepsItTheNewerIsRefused() {
    Map<Integer, Seen> seen = Map.of(1, new Seen("node-1", BigInteger.ONE, NEXT_YEAR),
        2, new Seen("node-1", BigInteger.TWO, NEXT_YEAR));

    List<Verdict> v = judge(List.of(member(1, "node-1"), member(2, "node-1")), seen, true);

    assertInstanceOf(Certified.class, v.get(0));
    assertTrue(assertInstanceOf(Refused.class, v.get(1)).reason().contains("already held"));
  }

  @Test
  void judge_plainTcp_onlyDuplicatesRefusedAndNothingNeedsACertificate() {
    List<Verdict> v = judge(List.of(member(1, "node-1"), member(2, null), member(3, "node-1")), Map.of(), false);

    assertEquals(Set.of(Certified.class, Refused.class),
        Set.copyOf(v.stream().map(Object::getClass).toList()));
    assertInstanceOf(Certified.class, v.get(0));
    assertInstanceOf(Certified.class, v.get(1));
    assertInstanceOf(Refused.class, v.get(2));
  }
}
