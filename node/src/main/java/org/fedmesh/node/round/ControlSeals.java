package org.fedmesh.node.round;

import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.fedmesh.mpc.ControlSeal;
import org.fedmesh.mpc.SealVerificationException;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.protocols.RoundProtocol.ControlSignature;
import org.fedmesh.protocols.RoundProtocol.Sealable;

/**
 * Seals this member's control messages with its identity, and tells who sealed a received one: the node id of a
 * certificate the consortium CA issued, never a name the sender wrote. Whether that signer may send the message is
 * the receiver's rule ({@link CoordinatorGate}, {@link ParticipantSenders}).
 */
public final class ControlSeals {
  private final MemberIdentity identity;
  private final ControlStatements statements;

  private ControlSeals(MemberIdentity identity, ControlStatements statements) {
    this.identity = identity;
    this.statements = statements;
  }

  /** Seals as {@code identity}, verifies against its CA; actor refs in statements as {@code system} writes them. */
  public static ControlSeals of(ActorSystem<?> system, MemberIdentity identity) {
    return new ControlSeals(identity, new ControlStatements(ActorRefResolver.get(system)));
  }

  public String nodeId() {
    return identity.nodeId();
  }

  /** {@code message} sealed by this member. */
  public <M extends Sealable<M>> M seal(M message) {
    return message.withSeal(new ControlSignature(ControlSeal.seal(identity, statements.of(message)).encode()));
  }

  /**
   * The node id of whoever sealed {@code message}, once the seal verifies against the CA now.
   *
   * @throws SealVerificationException when the message is unsealed, the seal malformed, or it does not verify
   */
  public String signer(Sealable<?> message) throws SealVerificationException {
    ControlSignature signature = message.seal();
    if (signature == null) {
      throw new SealVerificationException("none", "the message is not sealed");
    }
    ControlSeal seal;
    try {
      seal = ControlSeal.decode(signature.encoded());
    } catch (IllegalArgumentException e) {
      throw new SealVerificationException("unknown", "malformed seal: " + e.getMessage(), e);
    }
    return seal.verify(statements.of(message), identity.caCertificate(), Instant.now());
  }
}
