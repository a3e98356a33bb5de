package org.fedmesh.node.membership;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.ActorIdentity;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Identify;
import org.apache.pekko.actor.RootActorPath;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Subscribe;
import org.fedmesh.node.membership.MemberCertification.Candidate;
import org.fedmesh.node.membership.MemberCertification.Certified;
import org.fedmesh.node.membership.MemberCertification.Refused;
import org.fedmesh.node.membership.MemberCertification.Unverified;
import org.fedmesh.node.membership.MemberCertification.Verdict;
import org.fedmesh.node.membership.PeerCertificates.Seen;

/**
 * Runs on every member and keeps the cluster to members whose certificate matches what they announce. Each member
 * announces its node id as the cluster role {@code node-id:<id>}; the guard dials every member's address (an
 * Identify to its guard), so that this member's TLS layer verifies the certificate at that address, and then
 * downs a member whose certificate names another node id, is revoked or expired, that claims a node id an older
 * member holds, or whose certificate it could not see within the verify timeout. It also reloads the revocation
 * list, so a member whose certificate is revoked while it is in the cluster is downed (its associations then end:
 * a downed member is quarantined). What it verified is published as {@link CertifiedMembers}.
 */
public final class MembershipGuard extends AbstractBehavior<MembershipGuard.Command> {

  public static final String NAME = "membership-guard";
  /** The cluster role that announces a member's node id. */
  public static final String NODE_ID_ROLE_PREFIX = "node-id:";
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration REDIAL = Duration.ofSeconds(1);

  public interface Command {}

  private record MembersChanged(ClusterEvent.MemberEvent event) implements Command {}

  private record Identified(ActorIdentity identity) implements Command {}

  private enum Tick implements Command { INSTANCE }

  private enum PeersChanged implements Command { INSTANCE }

  private final Optional<MemberTls> tls;
  private final Cluster cluster;
  private final CertifiedMembers certifiedMembers;
  private final ActorRef<ActorIdentity> identified;
  private final Runnable unsubscribe;
  private final Map<UniqueAddress, Instant> unverifiedSince = new HashMap<>();
  private final Map<Address, Instant> dialled = new HashMap<>();
  private final Set<UniqueAddress> downed = new HashSet<>();
  private final Set<UniqueAddress> verified = new HashSet<>();

  /** Spawns the guard under {@code parent}; with TLS, only members it verified count from now on. */
  public static ActorRef<Command> start(ActorContext<?> parent, boolean tls) {
    if (tls) {
      CertifiedMembers.get(parent.getSystem()).enforce();
    }
    return parent.spawn(Behaviors.setup(context -> Behaviors.<Command>withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
      return new MembershipGuard(context, tls ? Optional.of(MemberTls.get(context.getSystem())) : Optional.empty());
    })), NAME);
  }

  /** The role a member with this node id announces. */
  public static String nodeIdRole(String nodeId) {
    return NODE_ID_ROLE_PREFIX + nodeId;
  }

  private MembershipGuard(ActorContext<Command> context, Optional<MemberTls> tls) {
    super(context);
    // Named explicitly: otherwise the logger's name depends on the call stack of the first log line.
    context.setLoggerName(MembershipGuard.class);
    this.tls = tls;
    this.cluster = Cluster.get(context.getSystem());
    this.certifiedMembers = CertifiedMembers.get(context.getSystem());
    this.identified = context.messageAdapter(ActorIdentity.class, Identified::new);
    ActorRef<ClusterEvent.MemberEvent> events = context.messageAdapter(ClusterEvent.MemberEvent.class,
        MembersChanged::new);
    cluster.subscriptions().tell(Subscribe.create(events, ClusterEvent.MemberEvent.class));
    ActorRef<Command> self = context.getSelf();
    this.unsubscribe = tls.map(t -> t.peers().subscribe(() -> self.tell(PeersChanged.INSTANCE))).orElse(() -> { });
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(MembersChanged.class, m -> evaluate())
        .onMessage(Identified.class, m -> evaluate())
        .onMessageEquals(PeersChanged.INSTANCE, this::evaluate)
        .onMessageEquals(Tick.INSTANCE, this::evaluate)
        .onSignal(PostStop.class, s -> {
          unsubscribe.run();
          return this;
        })
        .build();
  }

  private Behavior<Command> evaluate() {
    Instant now = Instant.now();
    List<Member> members = new ArrayList<>();
    for (Member m : cluster.state().getMembers()) {
      MemberStatus status = m.status();
      if (status == MemberStatus.joining() || status == MemberStatus.weaklyUp() || status == MemberStatus.up()
          || status == MemberStatus.leaving()) {
        members.add(m);
      }
    }
    members.sort((a, b) -> a.isOlderThan(b) ? -1 : b.isOlderThan(a) ? 1 : 0);
    Map<Address, Member> byAddress = new HashMap<>();
    List<Candidate> candidates = new ArrayList<>();
    for (Member m : members) {
      byAddress.put(m.address(), m);
      candidates.add(new Candidate(m.address(), m.uniqueAddress().longUid(), nodeIdOf(m)));
    }
    List<Verdict> verdicts = MemberCertification.judge(candidates, tls.isPresent(), seenAt(),
        serial -> tls.map(t -> t.revocations().isRevoked(serial)).orElse(false), now);
    Map<Address, String> certified = new HashMap<>();
    for (Verdict v : verdicts) {
      Member m = byAddress.get(v.member().address());
      if (v instanceof Certified c) {
        certified.put(m.address(), c.nodeId());
        unverifiedSince.remove(m.uniqueAddress());
        if (tls.isPresent() && verified.add(m.uniqueAddress())) {
          getContext().getLog().info("Member {} verified as '{}' by its certificate", m.address(), c.nodeId());
        }
      } else if (v instanceof Unverified) {
        Instant since = unverifiedSince.computeIfAbsent(m.uniqueAddress(), a -> now);
        Duration timeout = tls.orElseThrow().settings().verifyTimeout();
        if (Duration.between(since, now).compareTo(timeout) > 0) {
          down(m, "no certificate could be verified at its address within " + timeout.toSeconds() + " s");
        } else {
          dial(m.address(), now);
        }
      } else if (v instanceof Refused r) {
        down(m, r.reason());
      }
    }
    certifiedMembers.update(certified);
    forgetGone(members);
    return this;
  }

  /** Keeps the bookkeeping to current members, so it does not grow with every member that ever came and went. */
  private void forgetGone(List<Member> members) {
    Set<UniqueAddress> present = new HashSet<>();
    Set<Address> addresses = new HashSet<>();
    for (Member m : members) {
      present.add(m.uniqueAddress());
      addresses.add(m.address());
    }
    unverifiedSince.keySet().retainAll(present);
    verified.retainAll(present);
    downed.retainAll(present);
    dialled.keySet().retainAll(addresses);
  }

  /** For this member, its own certificate; for the others, what an outbound handshake verified at their address. */
  private Function<Address, Optional<Seen>> seenAt() {
    Address self = cluster.selfMember().address();
    return address -> tls.flatMap(t -> address.equals(self)
        ? Optional.of(Seen.of(t.identity().certificate()))
        : t.peers().at(address.getHost().orElse(""), address.getPort().orElse(-1)));
  }

  private static Optional<String> nodeIdOf(Member m) {
    return m.getRoles().stream().filter(r -> r.startsWith(NODE_ID_ROLE_PREFIX))
        .map(r -> r.substring(NODE_ID_ROLE_PREFIX.length())).findFirst();
  }

  /** Sends an Identify to the member's guard: the first message opens a TLS connection, whose handshake we need. */
  private void dial(Address address, Instant now) {
    Instant last = dialled.get(address);
    if (last == null || Duration.between(last, now).compareTo(REDIAL) >= 0) {
      dialled.put(address, now);
      Adapter.toClassic(getContext())
          .actorSelection(new RootActorPath(address, "/").child("user").child(NAME))
          .tell(new Identify(NAME), Adapter.toClassic(identified));
    }
  }

  private void down(Member m, String reason) {
    if (downed.add(m.uniqueAddress())) {
      getContext().getLog().warn("Downing member {} ({}): {}", m.address(), nodeIdOf(m).orElse("no node id"), reason);
      cluster.manager().tell(new Down(m.address()));
    }
  }
}
