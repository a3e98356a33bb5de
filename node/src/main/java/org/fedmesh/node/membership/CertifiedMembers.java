package org.fedmesh.node.membership;

import java.util.Map;
import java.util.Optional;
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
 * tests) every member counts. Read it from any thread. Each change is published on the event stream as
 * {@link Changed}: a member is verified after it registers, and whoever counts members must hear of it.
 */
public final class CertifiedMembers implements Extension {

  public static final Id ID = new Id();

  /** Published on the actor system's event stream when the set of verified members changes. */
  public record Changed(Set<Address> members) {
    public Changed {
      members = Set.copyOf(members);
    }
  }

  /** One per actor system. */
  public static final class Id extends AbstractExtensionId<CertifiedMembers> {
    @Override
    public CertifiedMembers createExtension(ExtendedActorSystem system) {
      return new CertifiedMembers(system);
    }
  }

  private final ExtendedActorSystem system;
  private final Address self;
  private volatile boolean enforced;
  private volatile Map<Address, String> certified = Map.of();

  private CertifiedMembers(ExtendedActorSystem system) {
    this.system = system;
    this.self = system.provider().getDefaultAddress();
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

  /**
   * The node id certified at {@code address} (a local address means this member), or empty when membership is not
   * enforced (then nothing is known by certificate) or nobody is verified there.
   */
  public Optional<String> nodeIdAt(Address address) {
    return enforced ? Optional.ofNullable(certified.get(address.hasLocalScope() ? self : address))
        : Optional.empty();
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

  /** Called by the guard only, from its actor: updates never race each other. */
  void update(Map<Address, String> verified) {
    if (verified.equals(certified)) {
      return;
    }
    certified = Map.copyOf(verified);
    system.eventStream().publish(new Changed(certified.keySet()));
  }
}
