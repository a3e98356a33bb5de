package org.fedmesh.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Join;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.membership.MembershipGuard;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.CatchUpProtocol.FetchModel;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.QueryStatus;

/**
 * An attacker in a process of its own, speaking Artery at a consortium member: the attacks of the issue "No trusted
 * party, for real", repeated from outside. It joins through the member (as through a seed node), asks its
 * participant for the status and the committed model, sends a forged {@code CatchUp} (a round far ahead, a hash
 * of its own, itself as the source) and downs the member. It prints, as one JSON object, what came of it: whether
 * it joined, and how many replies, model parts and fetches from the victim reached it.
 *
 * <p>Usage: {@code Adversary KIND HOST:PORT WORK_DIR}; KIND is {@code plain-tcp} (no TLS at all),
 * {@code tls-no-certificate} (TLS, presents none) or {@code foreign-ca} (TLS with a certificate of a CA of its own
 * making, under the same consortium name). Its TLS trusts every peer, so any refusal is the member's.
 */
public final class Adversary {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private Adversary() {}

  public static void main(String[] args) throws Exception {
    String kind = args[0];
    String[] hostPort = args[1].split(":");
    Path work = Path.of(args[2]);
    Address member = new Address("pekko", FedmeshNode.SYSTEM_NAME, hostPort[0], Integer.parseInt(hostPort[1]));

    Map<String, Object> settings = new HashMap<>();
    settings.put("pekko.remote.artery.transport", kind.equals("plain-tcp") ? "tcp" : "tls-tcp");
    settings.put("pekko.remote.artery.ssl.ssl-engine-provider", PermissiveTlsEngineProvider.class.getName());
    settings.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
    settings.put("pekko.remote.artery.canonical.port", 0);
    settings.put("pekko.cluster.roles", List.of("trainer", MembershipGuard.nodeIdRole("intruder")));
    settings.put("adversary.identity-dir", kind.equals("foreign-ca") ? foreignIdentity(work).toString() : "");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), FedmeshNode.SYSTEM_NAME,
        ConfigFactory.parseMap(settings).withFallback(FedmeshNode.defaults()).resolve());

    Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    ActorRef<Object> collector = system.systemActorOf(Behaviors.receiveMessage(m -> {
      received.computeIfAbsent(m.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
      return Behaviors.same();
    }), "collector", Props.empty());

    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(member));
    ActorRef<ParticipantCommand> participant = ActorRefResolver.get(system)
        .resolveActorRef(member + "/user/participant");
    participant.tell(new QueryStatus(collector.unsafeUpcast()));
    participant.tell(new FetchModel(1, collector.unsafeUpcast()));
    participant.tell(new CatchUp(1_000, "ab".repeat(32), List.of(collector.<ParticipantCommand>unsafeUpcast()),
        collector.<CoordinatorCommand>unsafeUpcast(), null));
    cluster.manager().tell(new Down(member));

    Thread.sleep(WAIT.toMillis()); // nothing to wait for: what must not come is counted over a bounded wait
    boolean joined = false;
    for (org.apache.pekko.cluster.Member m : cluster.state().getMembers()) {
      joined |= m.address().equals(member);
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("kind", kind);
    report.put("joined", joined);
    report.put("status_replies", count(received, "MemberStatus"));
    report.put("model_parts", count(received, "ModelPart") + count(received, "ModelUnavailable"));
    report.put("fetches_from_victim", count(received, "FetchModel"));
    report.put("received", received.keySet());
    System.out.println("ADVERSARY " + new ObjectMapper().writeValueAsString(report));
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get();
  }

  private static int count(Map<String, AtomicInteger> received, String type) {
    AtomicInteger n = received.get(type);
    return n == null ? 0 : n.get();
  }

  /** A certificate for "intruder" from a CA of the attacker's own, named like the consortium's. */
  private static Path foreignIdentity(Path work) throws Exception {
    Path dir = Files.createTempDirectory(work, "foreign-ca");
    ConsortiumCa.create("attacked", Duration.ofDays(2)).issue("intruder", List.of("127.0.0.1"), Duration.ofDays(1))
        .save(dir);
    return dir;
  }
}
