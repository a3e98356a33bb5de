package org.fedmesh.node.membership;

import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Which cluster members the {@link MembershipGuard} verified: their certificate, seen at their address, names the
 * node id they announce, is current and not revoked. With mutual TLS, only these should count toward a round's
 * majority and {@code min-participants}; until the guard runs (plain TCP, or actor systems without a guard, as in
 * tests) every member counts. Read it from any thread.
 */
public final class CertifiedMembers implements Extension {

  public static final Id ID = new Id();

  /** One per actor system. */
  public static final class Id extends AbstractExtensionId<CertifiedMembers> {
    @Override
    public CertifiedMembers createExtension(ExtendedActorSystem system) {
      return new CertifiedMembers(system.provider().getDefaultAddress());
    }
  }

  private final Address self;
  private volatile boolean enforced;
  private volatile Map<Address, String> certified = Map.of();

  private CertifiedMembers(Address self) {
    this.self = self;
  }

  public static CertifiedMembers get(ActorSystem<?> system) {
    return ID.get(Adapter.toClassic(system));
  }

  /** Whether membership is verified by certificate (mutual TLS with a guard running). */
  public boolean enforced() {
    return enforced;
  }

  /**
   * Whether the member at {@code address} counts: always without enforcement, else only when verified. A local
   * address (an actor ref of this system) means this member.
   */
  public boolean counts(Address address) {
    return !enforced || certified.containsKey(address.hasLocalScope() ? self : address);
  }

  /** Addresses of the verified members, this one included once the guard has checked its own certificate. */
  public Set<Address> addresses() {
    return certified.keySet();
  }

  /** Verified members by address, with the node id their certificate names. */
  public Map<Address, String> nodeIds() {
    return certified;
  }

  /** From now on only verified members count; called before the round coordinator can start. */
  void enforce() {
    enforced = true;
  }

  void update(Map<Address, String> verified) {
    certified = Map.copyOf(verified);
  }
}
