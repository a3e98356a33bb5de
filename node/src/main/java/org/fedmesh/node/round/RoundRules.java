package org.fedmesh.node.round;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.fedmesh.mpc.SeedShares;
import org.fedmesh.node.SharedSettings;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/** What a participant checks of a {@code StartRound} before it takes part: its own rules, not the coordinator's. */
final class RoundRules {
  private RoundRules() {}

  /** This member's place in the ring (its node id and its own participant ref), or -1 when it is not in it. */
  static int indexOf(StartRound start, String nodeId, ActorRef<ParticipantCommand> self) {
    List<RingMember> ring = start.ring();
    for (int i = 0; i < ring.size(); i++) {
      if (ring.get(i).nodeId().equals(nodeId) && ring.get(i).participant().equals(self)) {
        return i;
      }
    }
    return -1;
  }

  /** Why this member must not take part in the attempt, if it must not. */
  static Optional<String> refusal(StartRound start, Participant.Setup setup, ModelState committed) {
    long round = start.attempt().round();
    if (round != committed.round() + 1 || !start.baseModelHash().equals(committed.hash())) {
      return Optional.of("it starts from round " + (round - 1) + " (" + abbreviate(start.baseModelHash()) + ") but "
          + setup.nodeId() + " holds round " + committed.round() + " (" + committed.shortHash() + ")");
    }
    if (!start.secure() && setup.secureRequired()) {
      return Optional.of(setup.nodeId() + " requires secure aggregation and the round is not secure");
    }
    if (start.secure() && start.ring().size() < 3 && !setup.allowUnsafeTwoParty()) {
      return Optional.of("secure aggregation needs at least 3 participants (with " + start.ring().size()
          + ", the sum reveals each member's update to the other); allow it only with the unsafe flag");
    }
    if (start.secure() && start.ring().size() > SeedShares.MAX_SHARES) {
      return Optional.of("secure aggregation takes at most " + SeedShares.MAX_SHARES + " participants (their"
          + " self-mask seeds are shared among them), not " + start.ring().size());
    }
    List<String> differing = SharedSettings.differingKeys(setup.sharedSettings(), start.sharedSettings());
    if (!differing.isEmpty()) {
      return Optional.of(setup.nodeId() + " is configured differently from the coordinator's host in " + differing
          + "; these settings must be equal on every member" + SharedSettings.versionDifference(
              setup.sharedSettings(), start.sharedSettings(), "the coordinator's host"));
    }
    if (start.ring().stream().map(RingMember::nodeId).distinct().count() != start.ring().size()) {
      return Optional.of("the ring names a member twice");
    }
    return Optional.empty();
  }

  /**
   * Why the ring's entries are not what the members they name run, if they are not: each entry's participant and
   * ring endpoint must live in one actor system, and with mutual TLS that system's certificate must name the entry's
   * node id. Otherwise a false status (statuses are not sealed) could put an attacker's endpoint in a member's
   * place, to drop the pieces sent to it and have the honest sender blamed.
   */
  static Optional<String> bindingRefusal(List<RingMember> ring, Function<Address, Optional<String>> certifiedAt) {
    for (RingMember m : ring) {
      Address at = m.participant().path().address();
      if (!at.equals(m.ring().path().address())) {
        return Optional.of("the ring's entry for " + m.nodeId() + " puts its participant at " + at
            + " and its ring endpoint at " + m.ring().path().address());
      }
      Optional<String> certified = certifiedAt.apply(at);
      if (certified.isPresent() && !certified.get().equals(m.nodeId())) {
        return Optional.of("the ring's entry for " + m.nodeId() + " is at " + at + ", which is certified as "
            + certified.get());
      }
    }
    return Optional.empty();
  }

  static String abbreviate(String hash) {
    return hash == null ? "none" : hash.substring(0, Math.min(12, hash.length()));
  }
}
