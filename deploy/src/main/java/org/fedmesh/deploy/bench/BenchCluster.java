package org.fedmesh.deploy.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.VectorSerializer;

/**
 * N cluster members in this JVM (actor systems on 127.0.0.1 ports, joined through the first), each with a ring
 * all-reduce endpoint and the node's crypto dispatcher: the parts of a member that aggregation uses.
 */
final class BenchCluster implements AutoCloseable {
  private final List<ActorSystem<Void>> systems = new ArrayList<>();
  private final List<ActorRef<AllReduceProtocol.Command>> endpoints = new ArrayList<>();

  BenchCluster(int nodes, int chunkBytes) throws Exception {
    List<Integer> ports = EmbeddedConsortium.freePorts(nodes);
    int pieceWords = VectorSerializer.longsPerMessage(chunkBytes);
    for (int i = 0; i < nodes; i++) {
      Map<String, Object> overrides = new HashMap<>();
      overrides.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
      overrides.put("pekko.remote.artery.canonical.port", ports.get(i));
      overrides.put("pekko.cluster.seed-nodes",
          List.of("pekko://" + FedmeshNode.SYSTEM_NAME + "@127.0.0.1:" + ports.get(0)));
      Config config = ConfigFactory.parseMap(overrides).withFallback(FedmeshNode.defaults()).resolve();
      CompletableFuture<ActorRef<AllReduceProtocol.Command>> endpoint = new CompletableFuture<>();
      systems.add(ActorSystem.create(Behaviors.setup(context -> {
        endpoint.complete(context.spawn(RingAllReduce.create(pieceWords), "ring"));
        return Behaviors.empty();
      }), FedmeshNode.SYSTEM_NAME, config));
      endpoints.add(endpoint.get(30, TimeUnit.SECONDS));
    }
    EmbeddedConsortium.awaitAllUp(systems, Duration.ofSeconds(60));
  }

  int size() {
    return systems.size();
  }

  ActorSystem<Void> system(int i) {
    return systems.get(i);
  }

  ActorRef<AllReduceProtocol.Command> endpoint(int i) {
    return endpoints.get(i);
  }

  /** The ring's endpoints as member {@code i} addresses them (remote refs for the others). */
  List<ActorRef<AllReduceProtocol.Command>> ringSeenFrom(int i) {
    ActorRefResolver resolver = ActorRefResolver.get(systems.get(i));
    List<ActorRef<AllReduceProtocol.Command>> ring = new ArrayList<>();
    for (int j = 0; j < endpoints.size(); j++) {
      String path = ActorRefResolver.get(systems.get(j)).toSerializationFormat(endpoints.get(j));
      ring.add(resolver.resolveActorRef(path));
    }
    return ring;
  }

  Executor cryptoExecutor(int i) {
    return systems.get(i).dispatchers().lookup(DispatcherSelector.fromConfig("fedmesh.crypto-dispatcher"));
  }

  @Override
  public void close() {
    systems.forEach(ActorSystem::terminate);
    for (ActorSystem<Void> s : systems) {
      try {
        s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // shutting down anyway
      }
    }
  }
}
