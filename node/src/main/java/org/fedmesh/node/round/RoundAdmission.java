package org.fedmesh.node.round;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.AttemptFailed;
import org.fedmesh.protocols.RoundProtocol.FailureKind;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/**
 * Whether a participant takes part in the attempt a StartRound offers: sealed by the coordinator's host in this
 * member's view, not stale, with this member in its ring, every ring entry bound to the member it names, and the
 * participant's own rules met. Each refusal is logged and answered once per attempt, so that a replayed StartRound
 * never makes this member sign again.
 */
final class RoundAdmission {
  private final String nodeId;
  private final CoordinatorGate gate;
  private final ControlSeals seals;
  private final Function<Address, Optional<String>> certifiedAt;
  /** Attempts whose sealed StartRound was refused with an answer: one answer each, however often it is replayed. */
  private final Set<AttemptId> answered = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<AttemptId, Boolean> eldest) {
      return size() > 64;
    }
  });
  /** The latest attempt this member took part in: a StartRound of an older attempt of its round is stale. */
  private AttemptId lastTaken;

  /** {@code certifiedAt}: the node id certified at an address (see CertifiedMembers#nodeIdAt). */
  RoundAdmission(String nodeId, CoordinatorGate gate, ControlSeals seals,
                 Function<Address, Optional<String>> certifiedAt) {
    this.nodeId = nodeId;
    this.gate = gate;
    this.seals = seals;
    this.certifiedAt = certifiedAt;
  }

  /**
   * This member's place in the ring of {@code start} when it takes part (and from now on {@link #lastTaken}), else
   * empty; {@code ownRefusal}: why the participant itself must not take part, if it must not.
   */
  OptionalInt admit(StartRound start, ActorRef<ParticipantCommand> self, Supplier<Optional<String>> ownRefusal) {
    AttemptId id = start.attempt();
    Optional<CoordinatorGate.Refusal> refused = gate.refusal(start, "StartRound for " + id,
        start.coordinator() == null ? "nobody" : start.coordinator().path().toString());
    if (refused.isPresent()) {
      // A genuine coordinator this member does not see as host yet (views differ during failover) retries after
      // its backoff instead of waiting for its deadline.
      if (refused.get().signerIsNotTheHost() && start.coordinator() != null) {
        answer(start, "refused by " + nodeId + ": " + refused.get().reason());
      }
      return OptionalInt.empty();
    }
    if (lastTaken != null && lastTaken.round() == id.round()
        && (id.attempt() < lastTaken.attempt() || id.equals(lastTaken))) {
      gate.warnOnce("stale|" + id, "Ignored StartRound for " + id + ": stale, " + nodeId + " took part in "
          + lastTaken + " already");
      return OptionalInt.empty();
    }
    int myIndex = RoundRules.indexOf(start, nodeId, self);
    if (myIndex < 0) {
      gate.warnOnce("ring|" + id, "Ignored StartRound for " + id + ": " + nodeId + " is not in its ring");
      return OptionalInt.empty();
    }
    Optional<String> refusal = ownRefusal.get().or(() -> RoundRules.bindingRefusal(start.ring(), certifiedAt));
    if (refusal.isPresent()) {
      gate.warnOnce("rules|" + id, "Refused " + id + ": " + refusal.get());
      answer(start, refusal.get());
      return OptionalInt.empty();
    }
    lastTaken = id;
    return OptionalInt.of(myIndex);
  }

  /** The latest attempt this member took part in, null when none. */
  AttemptId lastTaken() {
    return lastTaken;
  }

  private void answer(StartRound start, String reason) {
    if (answered.add(start.attempt())) {
      start.coordinator().tell(seals.seal(new AttemptFailed(start.attempt(), nodeId, reason, FailureKind.OTHER)));
    }
  }
}
