package org.fedmesh.deploy.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.typed.Cluster;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.mpc.pki.RevocationList;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.LocalTraining;
import org.fedmesh.node.NodeSettings;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.model.NativeThreads;
import org.fedmesh.deploy.operations.ListenerChain;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.LocalUpdates;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.protocols.AllReduceProtocol;

/**
 * Several consortium members in this JVM, each a real cluster member with its own actor system, Artery port on
 * 127.0.0.1, certificate from an in-memory CA and share of the data, talking plain TCP or mutual TLS (the CA's and
 * members' PEM files then written to a temporary directory). Used by the demo, the benchmarks and the
 * whole-system tests.
 */
public final class EmbeddedConsortium implements AutoCloseable {
  private final List<Member> members;
  private final Map<String, ModelState> latest = new ConcurrentHashMap<>();
  private final CommitListener listener;
  private final ConsortiumCa ca;
  private final Transport transport;
  private final Map<String, MemberIdentity> identities = new ConcurrentHashMap<>();
  /** With TLS: the CA (ca.crt, ca.key, revoked.crl) and one directory of PEM files per member start. */
  private final Path pkiDir;
  private int identityDirs;

  /** How members talk: mutual TLS with PEM files of the in-memory CA in a temporary directory, or plain TCP. */
  public enum Transport { PLAIN_TCP, MUTUAL_TLS }

  /**
   * One member's ingredients; {@code config} holds this member's {@code fedmesh} values; {@code ringEndpoint} wraps
   * its ring endpoint (the identity for an honest member; tests make misbehaving ones with it).
   */
  public record MemberSpec(String nodeId, int port, LocalUpdates updates, Config config,
                           UnaryOperator<Behavior<AllReduceProtocol.Command>> ringEndpoint) {
    public MemberSpec(String nodeId, int port, LocalUpdates updates, Config config) {
      this(nodeId, port, updates, config, UnaryOperator.identity());
    }

    public MemberSpec withUpdates(LocalUpdates other) {
      return new MemberSpec(nodeId, port, other, config, ringEndpoint);
    }

    /** The same member with more settings on top, e.g. its checkpoint directory. */
    public MemberSpec with(String key, Object value) {
      return new MemberSpec(nodeId, port, updates, ConfigFactory.parseMap(Map.of(key, value)).withFallback(config),
          ringEndpoint);
    }

    /** The same member with its ring endpoint wrapped, for tests of a misbehaving member. */
    public MemberSpec withRingEndpoint(UnaryOperator<Behavior<AllReduceProtocol.Command>> wrap) {
      return new MemberSpec(nodeId, port, updates, config, wrap);
    }
  }

  /** A running member and the spec it was started from (for restarts). */
  public record Member(MemberSpec spec, FedmeshNode node) {}

  private EmbeddedConsortium(ConsortiumCa ca, CommitListener listener, Transport transport) {
    this.ca = ca;
    this.listener = listener;
    this.members = new ArrayList<>();
    this.transport = transport;
    if (transport == Transport.MUTUAL_TLS) {
      try {
        pkiDir = Files.createTempDirectory("fedmesh-pki");
        ca.save(pkiDir.resolve("ca"));
        ca.emptyRevocationList().save(revocationListFile());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the consortium's PEM files", e);
      }
    } else {
      pkiDir = null;
    }
  }

  /**
   * Starts one member per partition, named node-1..node-N, the first one being the seed. {@code shared} holds
   * the consortium-wide {@code fedmesh} settings (rounds, model, training, aggregation, coordinator).
   */
  public static EmbeddedConsortium start(List<Dataset> partitions, int numClasses, Config shared,
                                         CommitListener listener) {
    return start(plan(partitions, numClasses, shared), listener);
  }

  /** As {@link #start(List, int, Config, CommitListener)}, talking over {@code transport}. */
  public static EmbeddedConsortium start(List<Dataset> partitions, int numClasses, Config shared,
                                         CommitListener listener, Transport transport) {
    return start(plan(partitions, numClasses, shared), listener, transport);
  }

  /** The members {@link #start(List, int, Config, CommitListener)} would start, to adjust before starting. */
  public static List<MemberSpec> plan(List<Dataset> partitions, int numClasses, Config shared) {
    return plan(partitions, List.of(), numClasses, shared);
  }

  /**
   * As {@link #plan(List, int, Config)}, each member also holding out {@code heldOut.get(i)} (if given) for the
   * secure evaluation.
   */
  public static List<MemberSpec> plan(List<Dataset> partitions, List<Dataset> heldOut, int numClasses,
      Config shared) {
    return plan(partitions, heldOut, numClasses, shared, false);
  }

  /**
   * As {@link #plan(List, List, int, Config)}; with {@code consortiumStatistics} the partitions are unscaled and the
   * members standardise them with the statistics they learn in the first round ({@code ConsortiumScaling}).
   */
  public static List<MemberSpec> plan(List<Dataset> partitions, List<Dataset> heldOut, int numClasses,
      Config shared, boolean consortiumStatistics) {
    NodeSettings probe = NodeSettings.fromConfig(withNode(shared, "node-1", 0, List.of())
        .withFallback(FedmeshNode.defaults()).resolve());
    List<MemberSpec> specs = new ArrayList<>();
    List<Integer> ports = freePorts(partitions.size());
    List<String> seeds = List.of("127.0.0.1:" + ports.get(0));
    for (int i = 0; i < partitions.size(); i++) {
      String id = "node-" + (i + 1);
      LocalUpdates updates = new LocalTraining(probe.model(), probe.training().withSeed(probe.training().seed() + i),
          partitions.get(i), numClasses, probe.modelSeed(), probe.dp(), probe.noiseShares(),
          i < heldOut.size() ? heldOut.get(i) : null, consortiumStatistics);
      specs.add(new MemberSpec(id, ports.get(i), updates, withNode(shared, id, ports.get(i), seeds)));
    }
    return specs;
  }

  /** Starts the given members, over plain TCP, with identities from a fresh in-memory CA. */
  public static EmbeddedConsortium start(List<MemberSpec> specs, CommitListener listener) {
    return start(specs, listener, Transport.PLAIN_TCP);
  }

  /** Starts the given members with identities from a fresh in-memory CA, talking over {@code transport}. */
  public static EmbeddedConsortium start(List<MemberSpec> specs, CommitListener listener, Transport transport) {
    // Several members train in this JVM: ND4J's own thread pool per member would only fight over the cores.
    NativeThreads.limit(1);
    EmbeddedConsortium consortium = new EmbeddedConsortium(ConsortiumCa.create("demo", Duration.ofDays(7)), listener,
        transport);
    for (MemberSpec spec : specs) {
      consortium.startMember(spec);
    }
    consortium.awaitAllUp(Duration.ofMinutes(1));
    return consortium;
  }

  /**
   * Waits until every member sees every other one as Up. Until then the split brain resolver counts only the
   * members already Up, and a crash could leave the survivors as the smaller side.
   */
  public void awaitAllUp(Duration timeout) {
    awaitAllUp(members().stream().<ActorSystem<?>>map(m -> m.node().system()).toList(), timeout);
  }

  /** Waits until each of {@code systems} sees all of them as Up cluster members. */
  public static void awaitAllUp(List<? extends ActorSystem<?>> systems, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      boolean up = systems.stream().allMatch(system -> {
        int count = 0;
        for (org.apache.pekko.cluster.Member seen : Cluster.get(system).state().getMembers()) {
          count += seen.status() == MemberStatus.up() ? 1 : 0;
        }
        return count >= systems.size();
      });
      if (up) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("the members did not all come Up within " + timeout);
  }

  /** Starts (or restarts) one member; a restarted member loads its checkpoint if it has a checkpoint dir. */
  public synchronized FedmeshNode startMember(MemberSpec spec) {
    MemberIdentity identity = ca.issue(spec.nodeId(), List.of("127.0.0.1"), Duration.ofDays(1));
    identities.put(spec.nodeId(), identity);
    Config config = transport == Transport.MUTUAL_TLS
        ? identityFiles(identity).withFallback(spec.config())
        : ConfigFactory.parseMap(Map.of("fedmesh.tls.insecure-plain-tcp", "on")).withFallback(spec.config());
    CommitListener recording = ListenerChain.inOrder((nodeId, model, loss) -> {
      synchronized (latest) {
        latest.put(nodeId, model);
        latest.notifyAll();
      }
    }, listener);
    FedmeshNode node = FedmeshNode.start(config, identity, spec.updates(), recording, spec.ringEndpoint());
    members.removeIf(m -> m.spec().nodeId().equals(spec.nodeId()));
    members.add(new Member(spec, node));
    return node;
  }

  /** Writes the member's PEM files (a fresh directory per start) and points its identity settings at them. */
  private Config identityFiles(MemberIdentity identity) {
    Path dir = pkiDir.resolve(identity.nodeId() + "-" + (++identityDirs));
    try {
      identity.save(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the PEM files of " + identity.nodeId(), e);
    }
    return identityConfig(dir, revocationListFile());
  }

  /** The {@code fedmesh.identity} settings for PEM files in {@code dir}, and the revocation list (if any). */
  public static Config identityConfig(Path dir, Path revocationList) {
    Map<String, Object> files = new HashMap<>();
    files.put("fedmesh.identity.key", dir.resolve(MemberIdentity.KEY_FILE).toString());
    files.put("fedmesh.identity.certificate", dir.resolve(MemberIdentity.CERTIFICATE_FILE).toString());
    files.put("fedmesh.identity.ca", dir.resolve(MemberIdentity.CA_FILE).toString());
    files.put("fedmesh.identity.revocation-list", revocationList == null ? "" : revocationList.toString());
    files.put("fedmesh.tls.insecure-plain-tcp", "off");
    return ConfigFactory.parseMap(files);
  }

  public Transport transport() {
    return transport;
  }

  /** The consortium's CA (in memory; with TLS also saved under {@link #pkiDir()}). */
  public ConsortiumCa ca() {
    return ca;
  }

  /** With TLS, the directory of the CA's and the members' PEM files; null over plain TCP. */
  public Path pkiDir() {
    return pkiDir;
  }

  /** The revocation list every member reads (with TLS). */
  public Path revocationListFile() {
    return pkiDir.resolve("ca").resolve(RevocationList.FILE);
  }

  /** The identity the member was last started with. */
  public MemberIdentity identity(String nodeId) {
    return identities.get(nodeId);
  }

  /** Revokes the member's current certificate in the list every member reads, as {@code fedmesh ca revoke} would. */
  public synchronized void revoke(String nodeId) throws IOException {
    RevocationList current = RevocationList.load(revocationListFile(), ca.certificate());
    ca.revoke(current, List.of(identity(nodeId).certificate().getSerialNumber()), ConsortiumCa.reasonCode(""))
        .save(revocationListFile());
  }

  public static Config withNode(Config shared, String nodeId, int port, List<String> seeds) {
    Map<String, Object> node = new HashMap<>();
    node.put("fedmesh.node-id", nodeId);
    node.put("fedmesh.host", "127.0.0.1");
    node.put("fedmesh.port", port);
    node.put("fedmesh.seed-nodes", seeds);
    // terminate() then stops a member the way a crash does; close() leaves the cluster first.
    node.put("pekko.coordinated-shutdown.run-by-actor-system-terminate", "off");
    return ConfigFactory.parseMap(node).withFallback(shared);
  }

  /** The consortium CA's certificate, which every member's certificate chains to (to audit their journals). */
  public java.security.cert.X509Certificate caCertificate() {
    return ca.certificate();
  }

  public synchronized List<Member> members() {
    return List.copyOf(members);
  }

  /** Waits, woken by each commit, until every running member has committed {@code round}; false on timeout. */
  public boolean awaitRound(long round, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (latest) {
      while (!members().stream().allMatch(m -> committedRound(m.spec().nodeId()) >= round)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(latest, left);
      }
      return true;
    }
  }

  public long committedRound(String nodeId) {
    ModelState state = latest.get(nodeId);
    return state == null ? 0 : state.round();
  }

  /** Node id -> hash of its last committed model, in node order. */
  public Map<String, String> hashes() {
    Map<String, String> hashes = new LinkedHashMap<>();
    for (Member m : members()) {
      ModelState state = latest.get(m.spec().nodeId());
      hashes.put(m.spec().nodeId(), state == null ? null : state.hash());
    }
    return hashes;
  }

  public ModelState latest(String nodeId) {
    return latest.get(nodeId);
  }

  /**
   * Stops one member abruptly, as a crash would: its actor system stops without leaving the cluster, so the
   * others find it unreachable and the split brain resolver downs it (members here never run coordinated
   * shutdown on terminate, see {@link #withNode}).
   */
  public synchronized void crash(String nodeId) {
    Member m = member(nodeId);
    m.node().system().terminate();
    try {
      m.node().system().getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("member " + nodeId + " did not stop", e);
    }
  }

  public synchronized Member member(String nodeId) {
    return members.stream().filter(m -> m.spec().nodeId().equals(nodeId)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no member " + nodeId));
  }

  @Override
  public synchronized void close() {
    // All running members but one leave at once (one after another, each waited for the cluster to see it go,
    // seconds apiece), while that one stays to see them out; then it leaves alone. Had all left together, the last
    // to go would have waited out its exit phase with nobody left to confirm it.
    List<Member> running = members.stream().filter(m -> !m.node().system().whenTerminated().isCompleted()).toList();
    List<Thread> leaving = new ArrayList<>();
    for (Member m : running.subList(Math.min(1, running.size()), running.size())) {
      Thread t = new Thread(m.node()::close, "leaving-" + m.spec().nodeId());
      t.start();
      leaving.add(t);
    }
    for (Thread t : leaving) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!running.isEmpty()) {
      running.get(0).node().close();
    }
    if (pkiDir != null) {
      deleteTree(pkiDir);
    }
  }

  /** Removes a directory of PEM files this class wrote (no links followed: it made every entry itself). */
  public static void deleteTree(Path dir) {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory left behind is no reason to fail a run
    }
  }

  public static List<Integer> freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports.add(socket.getLocalPort());
      }
      return ports;
    } catch (IOException e) {
      throw new IllegalStateException("no free ports on 127.0.0.1", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // the port is released either way
        }
      }
    }
  }
}
