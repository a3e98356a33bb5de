package org.fedmesh.deploy.operations;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.fedmesh.node.membership.CertifiedMembers;
import org.fedmesh.node.membership.CoordinatorHost;
import org.fedmesh.node.membership.MembershipGuard;
import org.fedmesh.node.privacy.DpGuarantee;

/**
 * The JSON document {@code /status} serves: what this member holds and does, and the cluster as it sees it. Every
 * field is this member's own view; nothing in it comes from another member's update (see README, threat model).
 */
final class StatusReport {
  private final ActorSystem<?> system;
  private final MemberActivity activity;
  private final Readiness readiness;
  private final Optional<Path> journal;
  private final Optional<MemberOperations.Privacy> privacy;
  private final Instant started = Instant.now();

  StatusReport(ActorSystem<?> system, MemberActivity activity, Readiness readiness, Optional<Path> journal,
               Optional<MemberOperations.Privacy> privacy) {
    this.system = system;
    this.activity = activity;
    this.readiness = readiness;
    this.journal = journal;
    this.privacy = privacy;
  }

  Map<String, Object> build() {
    MemberActivity.Snapshot s = activity.snapshot();
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("node_id", s.nodeId());
    status.put("address", Cluster.get(system).selfMember().address().toString());
    status.put("ready", readiness.ready());
    status.put("round", s.committedRound());
    status.put("phase", s.phase().label());
    status.put("phase_round", s.phaseRound());
    status.put("phase_seconds", seconds(Duration.between(s.phaseSince(), Instant.now())));
    status.put("last_committed_hash", s.committedHash());
    status.put("last_committed_at", s.committedAt() == null ? null : s.committedAt().toString());
    Optional<JournalTail.Last> last = journal.flatMap(JournalTail::read);
    // The ring of the last journaled round: the members whose signatures certify the model this member holds.
    status.put("participants", last.filter(l -> l.round() == s.committedRound()).map(JournalTail.Last::signers)
        .orElse(List.of()));
    status.put("last_source", last.map(JournalTail.Last::source).orElse(null));
    status.put("last_evaluated_round", s.evaluatedRound());
    status.put("last_" + s.evaluationMetric(), finite(s.evaluation()));
    status.put("last_training_loss", finite(s.lastTrainingLoss()));
    status.put("consortium_evaluated_round", s.consortiumEvaluatedRound());
    status.put("consortium_accuracy", finite(s.consortiumAccuracy()));
    privacy.filter(p -> p.settings().enabled()).ifPresent(p -> {
      DpGuarantee spent = p.spent().get();
      Map<String, Object> dp = new LinkedHashMap<>();
      dp.put("level", p.settings().level().key());
      dp.put("epsilon_spent", spent.epsilon());
      dp.put("delta", spent.delta());
      dp.put("epsilon_budget", p.settings().hasBudget() ? p.settings().epsilonBudget() : null);
      status.put("privacy", dp);
    });
    status.put("coordinator", CoordinatorHost.CLUSTER_OLDEST.nodeId(system).orElse(null));
    status.put("members", members());
    status.put("uptime_seconds", seconds(Duration.between(started, Instant.now())));
    return status;
  }

  /** Every cluster member this member knows of: node id, address, status, reachability, certificate verified. */
  List<Map<String, Object>> members() {
    ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
    Set<Member> unreachable = state.getUnreachable();
    CertifiedMembers certified = CertifiedMembers.get(system);
    Map<Address, String> verified = certified.nodeIds();
    List<Map<String, Object>> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      Map<String, Object> member = new LinkedHashMap<>();
      member.put("node_id", Optional.ofNullable(verified.get(m.address())).orElseGet(() -> announced(m)));
      member.put("address", m.address().toString());
      member.put("status", m.status().toString().toLowerCase(java.util.Locale.ROOT));
      member.put("reachable", !unreachable.contains(m));
      member.put("verified", !certified.enforced() || verified.containsKey(m.address()));
      members.add(member);
    }
    return members;
  }

  private static String announced(Member m) {
    return m.getRoles().stream().filter(r -> r.startsWith(MembershipGuard.NODE_ID_ROLE_PREFIX))
        .map(r -> r.substring(MembershipGuard.NODE_ID_ROLE_PREFIX.length())).findFirst().orElse("?");
  }

  private static double seconds(Duration d) {
    return Math.round(d.toMillis() / 100.0) / 10.0;
  }

  /** JSON has no NaN: an unknown figure is null. */
  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
