package org.fedmesh.node.round;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.fedmesh.node.membership.CertifiedMembers;

/**
 * How many members the consortium has, as a member sees it: a round needs a majority of them, and so does a commit
 * certificate. In a cluster, the members with the trainer role, reachable or not (a partition must not shrink it).
 */
@FunctionalInterface
public interface ConsortiumSize {

  int members(ActorSystem<?> system);

  /** The live trainer members of the cluster {@code system} belongs to. */
  ConsortiumSize CLUSTER_TRAINERS = ConsortiumSize::trainers;

  /** A fixed size, for members outside a cluster (tests). */
  static ConsortiumSize fixed(int members) {
    return system -> members;
  }

  /**
   * Trainer members that are up, weakly up or leaving; downed and removed members no longer count, and with mutual
   * TLS neither does a member whose certificate the membership guard has not verified.
   */
  static int trainers(ActorSystem<?> system) {
    CertifiedMembers certified = CertifiedMembers.get(system);
    int count = 0;
    for (Member m : Cluster.get(system).state().getMembers()) {
      MemberStatus status = m.status();
      boolean live = status == MemberStatus.up() || status == MemberStatus.weaklyUp()
          || status == MemberStatus.leaving();
      if (live && m.hasRole(RoundCoordinator.TRAINER_ROLE) && certified.counts(m.address())) {
        count++;
      }
    }
    return count;
  }
}
