package org.fedmesh.node.round;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.fedmesh.mpc.SealVerificationException;
import org.fedmesh.node.membership.RefusalLog;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.slf4j.Logger;

/**
 * Which member statuses the coordinator believes: sealed by the member they describe, answering this coordinator
 * (not a predecessor, not a replay to another), with that member's refs in one actor system at the address certified
 * for it ({@link RoundRules#bindingRefusal}). A status decides who is in a ring and what is committed where, so a
 * false one must not pass for a member's own. Refusals are logged once per claim, signer and reason per hour.
 */
final class StatusCheck {
  private final ControlSeals seals;
  private final ActorRef<CoordinatorCommand> self;
  private final Function<Address, Optional<String>> certifiedAt;
  private final RefusalLog log;

  StatusCheck(ControlSeals seals, ActorRef<CoordinatorCommand> self, Function<Address, Optional<String>> certifiedAt,
              Logger log) {
    this.seals = seals;
    this.self = self;
    this.certifiedAt = certifiedAt;
    this.log = new RefusalLog(log, Duration.ofHours(1), System::nanoTime, "each claimed member, signer and reason");
  }

  boolean accepts(MemberStatus status) {
    String claimed = status.member().nodeId();
    String signer;
    try {
      signer = seals.signer(status);
    } catch (SealVerificationException e) {
      log.refuse("status|" + claimed + "|" + e.reason(), "Dropped a status claiming to be from '" + claimed
          + "' (sealed as '" + e.claimedSigner() + "'): the seal does not verify: " + e.reason());
      return false;
    }
    if (!signer.equals(claimed)) {
      log.refuse("status|" + claimed + "|" + signer, "Dropped a status claiming to be from '" + claimed
          + "': it is signed by '" + signer + "'");
      return false;
    }
    if (!self.equals(status.askedBy())) {
      log.refuse("status|" + claimed + "|asker", "Dropped a status of '" + claimed + "': it answers "
          + (status.askedBy() == null ? "nobody" : status.askedBy().path()) + ", not this coordinator");
      return false;
    }
    Optional<String> binding = RoundRules.bindingRefusal(List.of(status.member()), certifiedAt);
    binding.ifPresent(reason -> log.refuse("status|" + claimed + "|binding", "Dropped a status of '" + claimed
        + "': " + reason));
    return binding.isEmpty();
  }
}
