package org.fedmesh.deploy.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.mpc.pki.RevocationList;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.NodeSettings;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.VectorSerializer;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;

/**
 * N cluster members in this JVM (actor systems on 127.0.0.1 ports, joined through the first), configured and given
 * their ring endpoint exactly as {@link FedmeshNode} does (with a counter of the bytes it receives around it), plus
 * a host per member for the attempt sessions the benchmark runs there and a {@link StarEndpoint} for the
 * central-server baseline. No participant and no coordinator: the benchmark plays those. With TLS, members talk
 * Artery over mutual TLS with the given identities, written as PEM files to a temporary directory as
 * {@code fedmesh cert issue} would.
 */
final class BenchCluster implements AutoCloseable {
  private final List<ActorSystem<SessionHost.Command>> systems = new ArrayList<>();
  private final List<ActorRef<AllReduceProtocol.Command>> endpoints = new ArrayList<>();
  private final List<ActorRef<ParticipantCommand>> relays = new ArrayList<>();
  private final List<ActorRef<AllReduceProtocol.Command>> stars = new ArrayList<>();
  private final List<AtomicLong> ringBytesReceived = new ArrayList<>();
  private final RingWindow ringWindow = new RingWindow();
  private final Path pkiDir;

  /** {@code identities}: member i's identity; {@code tls}: mutual TLS with them, else plain TCP. */
  BenchCluster(Config shared, ConsortiumCa ca, List<MemberIdentity> identities, boolean tls) throws Exception {
    int nodes = identities.size();
    pkiDir = tls ? Files.createTempDirectory("fedmesh-bench-pki") : null;
    Path revocationList = null;
    if (tls) {
      revocationList = pkiDir.resolve(RevocationList.FILE);
      ca.emptyRevocationList().save(revocationList);
    }
    List<Integer> ports = EmbeddedConsortium.freePorts(nodes);
    List<String> seeds = List.of("127.0.0.1:" + ports.get(0));
    for (int i = 0; i < nodes; i++) {
      Config transport;
      if (tls) {
        Path dir = pkiDir.resolve(identities.get(i).nodeId());
        identities.get(i).save(dir);
        transport = EmbeddedConsortium.identityConfig(dir, revocationList);
      } else {
        transport = ConfigFactory.parseString("fedmesh.tls.insecure-plain-tcp = on");
      }
      Config member = transport.withFallback(EmbeddedConsortium.withNode(shared, identities.get(i).nodeId(),
              ports.get(i), seeds))
          .withFallback(FedmeshNode.defaults()).resolve();
      NodeSettings settings = NodeSettings.fromConfig(member);
      CompletableFuture<ActorRef<AllReduceProtocol.Command>> endpoint = new CompletableFuture<>();
      CompletableFuture<ActorRef<ParticipantCommand>> relay = new CompletableFuture<>();
      CompletableFuture<ActorRef<AllReduceProtocol.Command>> star = new CompletableFuture<>();
      AtomicLong received = new AtomicLong();
      ringBytesReceived.add(received);
      int pieceWords = VectorSerializer.longsPerMessage(settings.aggregation().chunkBytes());
      systems.add(ActorSystem.create(Behaviors.setup(context -> {
        endpoint.complete(context.spawn(ReceivedBytes.counting(FedmeshNode.ringEndpoint(settings), received),
            "ring"));
        relay.complete(context.spawn(SessionHost.participant(context.getSelf()), "participant"));
        star.complete(context.spawn(StarEndpoint.create(pieceWords), "star"));
        return SessionHost.create();
      }), FedmeshNode.SYSTEM_NAME, FedmeshNode.systemConfig(member, settings)));
      ringWindow.watch(systems.get(i));
      endpoints.add(endpoint.get(30, TimeUnit.SECONDS));
      relays.add(relay.get(30, TimeUnit.SECONDS));
      stars.add(star.get(30, TimeUnit.SECONDS));
    }
    EmbeddedConsortium.awaitAllUp(systems, Duration.ofSeconds(60));
  }

  int size() {
    return systems.size();
  }

  ActorSystem<SessionHost.Command> system(int i) {
    return systems.get(i);
  }

  ActorRef<AllReduceProtocol.Command> endpoint(int i) {
    return endpoints.get(i);
  }

  /** A participant ref for member {@code j} as member {@code i} sees it: it takes only peers' messages. */
  ActorRef<ParticipantCommand> participantSeenFrom(int i, int j) {
    return seenFrom(i, systems.get(j), relays.get(j));
  }

  /** Member {@code j}'s ring endpoint as member {@code i} addresses it (a remote ref unless i == j). */
  ActorRef<AllReduceProtocol.Command> endpointSeenFrom(int i, int j) {
    return seenFrom(i, systems.get(j), endpoints.get(j));
  }

  /** Member {@code j}'s star endpoint as member {@code i} addresses it. */
  ActorRef<AllReduceProtocol.Command> starSeenFrom(int i, int j) {
    return seenFrom(i, systems.get(j), stars.get(j));
  }

  /** The shipped ring's own duration per attempt, as its endpoints publish it. */
  RingWindow ringWindow() {
    return ringWindow;
  }

  /** Payload bytes member {@code i}'s ring endpoint has received since the cluster started. */
  long ringBytesReceived(int i) {
    return ringBytesReceived.get(i).get();
  }

  private <T> ActorRef<T> seenFrom(int i, ActorSystem<?> owner, ActorRef<T> ref) {
    String path = ActorRefResolver.get(owner).toSerializationFormat(ref);
    return ActorRefResolver.get(systems.get(i)).resolveActorRef(path);
  }

  Executor cryptoExecutor(int i) {
    return systems.get(i).dispatchers().lookup(DispatcherSelector.fromConfig("fedmesh.crypto-dispatcher"));
  }

  @Override
  public void close() {
    systems.forEach(ActorSystem::terminate);
    for (ActorSystem<?> s : systems) {
      try {
        s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // shutting down anyway
      }
    }
    if (pkiDir != null) {
      EmbeddedConsortium.deleteTree(pkiDir);
    }
  }
}
