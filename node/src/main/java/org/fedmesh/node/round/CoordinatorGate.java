package org.fedmesh.node.round;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.fedmesh.mpc.SealVerificationException;
import org.fedmesh.node.membership.RefusalLog;
import org.fedmesh.protocols.RoundProtocol.Sealable;
import org.slf4j.Logger;

/**
 * A participant's check of every coordinator message before it acts on it: the seal must verify against the CA
 * and name the member that hosts the coordinator singleton in this member's own view of the cluster. Whatever a
 * message claims (its reply address, who relayed it) does not count. A refusal is logged at WARN with the claimed
 * and the verified signer and the reason, once per attempt, signer and reason and within {@link RefusalLog}'s budget
 * of lines per interval, so a flood cannot fill the disk.
 */
final class CoordinatorGate {
  /** Long: a key holds an attempt, and an attempt's refusals need saying once. */
  private static final Duration LOG_INTERVAL = Duration.ofHours(1);

  /**
   * Why a message was refused. {@code signer} is the verified signer, null when the seal did not verify;
   * {@code host} the coordinator's host in this member's view, null when there is none.
   */
  record Refusal(String signer, String host, String reason) {
    /** Only the host is wrong: views of the oldest member differ for a moment during failover. */
    boolean signerIsNotTheHost() {
      return signer != null;
    }
  }

  private final ControlSeals seals;
  private final Supplier<Optional<String>> host;
  private final RefusalLog log;

  /** {@code host}: the coordinator's host in this member's view, asked at each message. */
  CoordinatorGate(ControlSeals seals, Supplier<Optional<String>> host, Logger log) {
    this.seals = seals;
    this.host = host;
    this.log = new RefusalLog(log, LOG_INTERVAL, System::nanoTime, "each attempt, signer and reason");
  }

  /**
   * Why this member must not act on {@code message}, if it must not. {@code what} names the message and its
   * attempt (or round) for the log and is part of the log's key; {@code claimedBy} what the message says of its
   * sender (its reply address), for the log only.
   */
  Optional<Refusal> refusal(Sealable<?> message, String what, String claimedBy) {
    String claim = claimedBy == null ? "" : " claimed by " + claimedBy;
    String signer;
    try {
      signer = seals.signer(message);
    } catch (SealVerificationException e) {
      log.refuse(what + "|" + e.claimedSigner() + "|" + e.reason(),
          "Refused " + what + claim + ", sealed as '" + e.claimedSigner()
              + "': the seal does not verify: " + e.reason());
      return Optional.of(new Refusal(null, host.get().orElse(null), "its seal does not verify: " + e.reason()));
    }
    Optional<String> current = host.get();
    if (current.isPresent() && current.get().equals(signer)) {
      return Optional.empty();
    }
    String reason = "it is signed by '" + signer + "', but the coordinator's host in the view of "
        + seals.nodeId() + " is " + current.map(h -> "'" + h + "'").orElse("not known");
    log.refuse(what + "|" + signer + "|host " + current.orElse("none"),
        "Refused " + what + claim + ": " + reason);
    return Optional.of(new Refusal(signer, current.orElse(null), reason));
  }

  /** Warns about a sealed coordinator message this member ignores anyway, once per {@code key}. */
  void warnOnce(String key, String message) {
    log.refuse(key, message);
  }
}
