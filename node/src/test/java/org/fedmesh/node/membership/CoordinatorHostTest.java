package org.fedmesh.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.util.Version;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/** Whose seal a member expects on coordinator messages: the oldest trainer that is up or leaving, in its own view. */
class CoordinatorHostTest {

  private static Member member(String nodeId, int port, int upNumber, MemberStatus status, String... roles) {
    List<String> all = new ArrayList<>(List.of(roles));
    all.add("dc-default");
    all.add(MembershipGuard.nodeIdRole(nodeId));
    return new Member(new UniqueAddress(address(port), port), upNumber, status,
        CollectionConverters.asScala(Set.copyOf(all)).toSet(), Version.Zero());
  }

  private static Address address(int port) {
    return new Address("pekko", "fedmesh", "127.0.0.1", port);
  }

  @Test
  void oldestTrainer_upOrLeaving_isTheHost_byItsAnnouncedIdWithoutTls() {
    List<Member> members = List.of(
        member("site-b", 2552, 2, MemberStatus.up(), "trainer"),
        member("site-a", 2551, 1, MemberStatus.leaving(), "trainer"),
        member("site-c", 2553, 3, MemberStatus.up(), "trainer"));
    assertEquals(Optional.of("site-a"), CoordinatorHost.oldestTrainer(members, false, Map.of()));
  }

  @Test
  void oldestTrainer_skipsMembersNotUpOrLeavingAndMembersWithoutTheTrainerRole() {
    List<Member> members = List.of(
        member("site-a", 2551, 1, MemberStatus.exiting(), "trainer"),
        member("site-x", 2550, 0, MemberStatus.up(), "observer"),
        member("site-d", 2549, 0, MemberStatus.down(), "trainer"),
        member("site-c", 2553, 3, MemberStatus.up(), "trainer"),
        member("site-b", 2552, 2, MemberStatus.up(), "trainer"));
    assertEquals(Optional.of("site-b"), CoordinatorHost.oldestTrainer(members, false, Map.of()));
  }

  @Test
  void oldestTrainer_withTls_isNamedByItsVerifiedCertificate_notByWhatItAnnounces() {
    List<Member> members = List.of(
        member("site-a", 2551, 1, MemberStatus.up(), "trainer"),
        member("site-b", 2552, 2, MemberStatus.up(), "trainer"));
    assertEquals(Optional.of("hospital-a"),
        CoordinatorHost.oldestTrainer(members, true, Map.of(address(2551), "hospital-a")));
    // The oldest is not verified (yet): no host this member trusts, so no coordinator message counts.
    assertEquals(Optional.empty(),
        CoordinatorHost.oldestTrainer(members, true, Map.of(address(2552), "site-b")));
  }

  @Test
  void oldestTrainer_noneUp_isEmpty() {
    assertEquals(Optional.empty(), CoordinatorHost.oldestTrainer(
        List.of(member("site-a", 2551, 1, MemberStatus.weaklyUp(), "trainer")), false, Map.of()));
  }
}
