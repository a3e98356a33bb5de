package org.fedmesh.node.round;

import java.time.Duration;
import java.util.Set;
import org.fedmesh.mpc.SealVerificationException;
import org.fedmesh.node.membership.RefusalLog;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.Sealable;
import org.slf4j.Logger;

/**
 * The coordinator's check of a participant's message for one attempt (or its commit): the seal must verify against
 * the CA, its signer must be the node the message names, and that node a member of the attempt. Otherwise the
 * message is dropped, with a warning naming the claimed node and the real signer, once per claim, signer and reason.
 */
final class ParticipantSenders {
  private static final Duration LOG_INTERVAL = Duration.ofHours(1);

  private final ControlSeals seals;
  private final AttemptId attempt;
  private final Set<String> members;
  private final RefusalLog log;

  ParticipantSenders(ControlSeals seals, AttemptId attempt, Set<String> members, Logger log) {
    this.seals = seals;
    this.attempt = attempt;
    this.members = Set.copyOf(members);
    this.log = new RefusalLog(log, LOG_INTERVAL, System::nanoTime, "each claimed sender, signer and reason");
  }

  /** Whether {@code message}, claiming to be from {@code claimedNodeId}, really is from a member of the attempt. */
  boolean accepts(Sealable<?> message, String claimedNodeId) {
    String type = message.getClass().getSimpleName();
    String signer;
    try {
      signer = seals.signer(message);
    } catch (SealVerificationException e) {
      log.refuse(type + "|" + claimedNodeId + "|" + e.claimedSigner() + "|" + e.reason(), "Dropped " + type + " for "
          + attempt + " claiming to be from '" + claimedNodeId + "' (sealed as '" + e.claimedSigner()
          + "'): the seal does not verify: " + e.reason());
      return false;
    }
    if (!signer.equals(claimedNodeId)) {
      log.refuse(type + "|" + claimedNodeId + "|" + signer, "Dropped " + type + " for " + attempt
          + " claiming to be from '" + claimedNodeId + "': it is signed by '" + signer + "'");
      return false;
    }
    if (!members.contains(signer)) {
      log.refuse(type + "|" + signer + "|not a member", "Dropped " + type + " for " + attempt + " from '" + signer
          + "': not a member of the attempt " + members.stream().sorted().toList());
      return false;
    }
    return true;
  }

  /** Warns about a message of a verified sender that is dropped anyway (a repeat), once per {@code key}. */
  void warnOnce(String key, String message) {
    log.refuse(key, message);
  }
}
