package org.fedmesh.node.membership;

import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Which member hosts the round coordinator, as one member sees the cluster: the cluster singleton runs on the
 * oldest member with the trainer role that is up or leaving. A participant acts on coordinator messages only when
 * that member sealed them, so a certified member that is not the host cannot play coordinator.
 */
@FunctionalInterface
public interface CoordinatorHost {

  /** The cluster role of members that train and may host the coordinator (RoundCoordinator.TRAINER_ROLE). */
  String TRAINER_ROLE = "trainer";

  /** The host's node id, empty when there is none or its node id is not known (yet). */
  Optional<String> nodeId(ActorSystem<?> system);

  /** The host in the cluster {@code system} belongs to. */
  CoordinatorHost CLUSTER_OLDEST = system -> {
    CertifiedMembers certified = CertifiedMembers.get(system);
    return oldestTrainer(Cluster.get(system).state().getMembers(), certified.enforced(), certified.nodeIds());
  };

  /** A fixed host, for members outside a cluster (tests). */
  static CoordinatorHost fixed(String nodeId) {
    return system -> Optional.of(nodeId);
  }

  /**
   * The node id of the oldest trainer member that is up or leaving. With mutual TLS ({@code enforced}) the id is the
   * one its certificate names, as the membership guard verified at its address ({@code certified}); an unverified
   * oldest member hosts nobody this member trusts. Without it (plain TCP, no guard) the id is the one the member
   * announces in its {@code node-id:} role, which nobody checked: plain TCP admits anyone anyway.
   */
  static Optional<String> oldestTrainer(Iterable<Member> members, boolean enforced, Map<Address, String> certified) {
    Member oldest = null;
    for (Member m : members) {
      boolean live = m.status() == MemberStatus.up() || m.status() == MemberStatus.leaving();
      if (live && m.hasRole(TRAINER_ROLE) && (oldest == null || m.isOlderThan(oldest))) {
        oldest = m;
      }
    }
    if (oldest == null) {
      return Optional.empty();
    }
    if (enforced) {
      return Optional.ofNullable(certified.get(oldest.address()));
    }
    return oldest.getRoles().stream().filter(r -> r.startsWith(MembershipGuard.NODE_ID_ROLE_PREFIX))
        .map(r -> r.substring(MembershipGuard.NODE_ID_ROLE_PREFIX.length())).findFirst();
  }
}
