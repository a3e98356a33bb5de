package org.fedmesh.node.round;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.mpc.WeightedUpdateCodec;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.checkpoint.CheckpointStore;
import org.fedmesh.node.membership.CoordinatorHost;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;

/**
 * Participants in separate actor systems talking Artery over 127.0.0.1, driven by a test probe that plays the
 * coordinator (honest or not). Every vector piece a member receives is also copied to that member's probe, and every
 * message its participant receives to its {@link #inboxes} probe. Every
 * member sees site-a as the coordinator's host: the probe's messages count once {@link #sealed} by site-a.
 */
final class ParticipantHarness implements AutoCloseable {
  static final WeightedUpdateCodec CODEC = WeightedUpdateCodec.create(100, 20, 16, 1_000_000, 1000);
  static final Config REMOTE = ConfigFactory.parseString("""
      pekko.actor.provider = remote
      pekko.remote.artery.canonical.hostname = 127.0.0.1
      pekko.remote.artery.canonical.port = 0
      """);
  private static final SecureRandom random = new SecureRandom();
  /** The shared-settings fingerprint every harness member is configured with. */
  static final Map<String, String> SHARED = Map.of("model.spec", "0123456789abcdef", "protocol.version",
      Integer.toString(org.fedmesh.node.SharedSettings.PROTOCOL_VERSION));
  /** The member every participant sees as the coordinator's host. */
  static final String HOST = "site-a";

  final List<ActorTestKit> kits = new ArrayList<>();
  private final List<ActorRef<ParticipantCommand>> participants = new ArrayList<>();
  private final List<ActorRef<AllReduceProtocol.Command>> endpoints = new ArrayList<>();
  final List<TestProbe<AllReduceProtocol.Command>> received = new ArrayList<>();
  final List<TestProbe<ParticipantCommand>> inboxes = new ArrayList<>();
  final List<String> ids = new ArrayList<>();
  final List<MemberIdentity> identities = new ArrayList<>();
  final List<LocalUpdates> updates;
  final TestProbe<CoordinatorCommand> coordinator;
  private final List<RoundProtocol.RingMember> ring = new ArrayList<>();

  ParticipantHarness(ConsortiumCa ca, List<LocalUpdates> updates, boolean secureRequired) {
    this(ca, updates, secureRequired, member -> Optional.empty());
  }

  /** {@code checkpoints}: each member's checkpoint store, by index. */
  ParticipantHarness(ConsortiumCa ca, List<LocalUpdates> updates, boolean secureRequired,
                     IntFunction<Optional<CheckpointStore>> checkpoints) {
    this(ca, updates, secureRequired, checkpoints, updates.size());
  }

  /** {@code consortiumSize}: the members each participant believes the consortium has (commits need a majority). */
  ParticipantHarness(ConsortiumCa ca, List<LocalUpdates> updates, boolean secureRequired,
                     IntFunction<Optional<CheckpointStore>> checkpoints, int consortiumSize) {
    this(ca, updates, secureRequired, checkpoints, consortiumSize, (member, endpoint) -> endpoint,
        CommitListener.NONE);
  }

  /** {@code listener}: told of every member's rounds (each call names its member). */
  ParticipantHarness(ConsortiumCa ca, List<LocalUpdates> updates, IntFunction<Optional<CheckpointStore>> checkpoints,
                     CommitListener listener) {
    this(ca, updates, true, checkpoints, updates.size(), (member, endpoint) -> endpoint, listener);
  }

  /** {@code endpointAround}: member i's ring endpoint as the test wraps it (a member that misbehaves on purpose). */
  ParticipantHarness(ConsortiumCa ca, List<LocalUpdates> updates,
                     BiFunction<Integer, Behavior<AllReduceProtocol.Command>, Behavior<AllReduceProtocol.Command>>
                         endpointAround) {
    this(ca, updates, true, member -> Optional.empty(), updates.size(), endpointAround, CommitListener.NONE);
  }

  private ParticipantHarness(ConsortiumCa ca, List<LocalUpdates> updates, boolean secureRequired,
                     IntFunction<Optional<CheckpointStore>> checkpoints, int consortiumSize,
                     BiFunction<Integer, Behavior<AllReduceProtocol.Command>, Behavior<AllReduceProtocol.Command>>
                         endpointAround, CommitListener listener) {
    this.updates = updates;
    ModelState initial = ModelState.of(0, updates.get(0).initialParameters(), new float[0]);
    for (int i = 0; i < updates.size(); i++) {
      String id = "site-" + (char) ('a' + i);
      ActorTestKit kit = ActorTestKit.create("fedmesh", REMOTE.withFallback(ConfigFactory.load()));
      MemberIdentity identity = ca.issue(id, List.of("127.0.0.1"), Duration.ofDays(1));
      TestProbe<AllReduceProtocol.Command> tap = kit.createTestProbe();
      ActorRef<AllReduceProtocol.Command> endpoint = kit.spawn(endpointAround.apply(i,
          Behaviors.monitor(AllReduceProtocol.Command.class, tap.ref(), RingAllReduce.create(1000))), "ring");
      AggregationPipeline pipeline = new AggregationPipeline(CODEC, ServerOptimizer.fedAvg(1.0),
          updates.get(i).parameterCount());
      Participant.Setup setup = new Participant.Setup(id, identity, updates.get(i), pipeline, secureRequired, false,
          checkpoints.apply(i), endpoint, 1000, SHARED, listener);
      TestProbe<ParticipantCommand> inbox = kit.createTestProbe();
      ActorRef<ParticipantCommand> participant = kit.spawn(Behaviors.monitor(ParticipantCommand.class, inbox.ref(),
          Participant.create(setup, initial, ConsortiumSize.fixed(consortiumSize), CoordinatorHost.fixed(HOST))),
          "participant");
      inboxes.add(inbox);
      kits.add(kit);
      endpoints.add(endpoint);
      participants.add(participant);
      received.add(tap);
      ids.add(id);
      identities.add(identity);
    }
    coordinator = kits.get(0).createTestProbe();
    ActorRefResolver here = ActorRefResolver.get(kits.get(0).system());
    for (int i = 0; i < updates.size(); i++) {
      ActorRefResolver owner = ActorRefResolver.get(kits.get(i).system());
      ActorRef<ParticipantCommand> p = here.resolveActorRef(owner.toSerializationFormat(participants.get(i)));
      ActorRef<AllReduceProtocol.Command> r = here.resolveActorRef(owner.toSerializationFormat(endpoints.get(i)));
      ring.add(new RoundProtocol.RingMember(ids.get(i), p, r));
    }
  }

  /** {@code message} sealed by the coordinator's host (site-a), as the coordinator would send it. */
  <M extends RoundProtocol.Sealable<M>> M sealed(M message) {
    return sealedBy(0, message);
  }

  /** {@code message} sealed by member {@code member}: certified, but the host only for member 0. */
  <M extends RoundProtocol.Sealable<M>> M sealedBy(int member, M message) {
    return ControlSeals.of(kits.get(0).system(), identities.get(member)).seal(message);
  }

  /** Sends through the ring's refs, so every message crosses Artery and its serializer like in a cluster. */
  void tell(int member, ParticipantCommand message) {
    ring.get(member).participant().tell(message);
  }

  RoundProtocol.RingMember member(int i) {
    return ring.get(i);
  }

  List<RoundProtocol.RingMember> ring(int... members) {
    List<RoundProtocol.RingMember> chosen = new ArrayList<>();
    for (int i : members) {
      chosen.add(ring.get(i));
    }
    return chosen;
  }

  List<RoundProtocol.RingMember> ring() {
    return List.copyOf(ring);
  }

  static AttemptId attempt(long round, int attempt) {
    return AttemptId.fresh(round, attempt, random);
  }

  @Override
  public void close() {
    kits.forEach(ActorTestKit::shutdownTestKit);
  }
}
