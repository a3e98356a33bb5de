package org.fedmesh.node.round;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.fedmesh.mpc.DecodedSum;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.Attestation;
import org.fedmesh.protocols.RoundProtocol.ResultSignature;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/** The attempt a participant takes part in now, and the session child that runs its steps. */
record LiveAttempt(StartRound start, ActorRef<AttemptSession.Command> session) {
  AttemptId id() {
    return start.attempt();
  }

  /**
   * The result of {@code attempt} and this member's signature of it, which a commit certificate must match, and the
   * peers' attestations this member held when it decoded it.
   */
  record Pending(AttemptId attempt, ModelState state, DecodedSum sum, ResultSignature signature,
                 List<Attestation> attestations) {}
}
