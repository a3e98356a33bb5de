package org.fedmesh.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.mpc.WeightedUpdateCodec;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.checkpoint.CheckpointStore;
import org.fedmesh.node.membership.IsolationWatch;
import org.fedmesh.node.membership.MemberTlsEngineProvider;
import org.fedmesh.node.membership.MembershipGuard;
import org.fedmesh.node.membership.SeedList;
import org.fedmesh.node.membership.SeedListFallback;
import org.fedmesh.node.round.AggregationPipeline;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.GuardedListener;
import org.fedmesh.node.round.LocalUpdates;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.node.round.Participant;
import org.fedmesh.node.round.RoundCoordinator;
import org.fedmesh.node.round.ConsortiumScaling;
import org.fedmesh.node.round.ServerOptimizer;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.VectorSerializer;
import org.fedmesh.node.privacy.DpSettings;
import org.fedmesh.node.privacy.MemberLevelNoise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consortium member: an actor system named {@value #SYSTEM_NAME} that joins the cluster, with this member's
 * participant, its ring endpoint and its share of the round-coordinator singleton.
 */
public final class FedmeshNode implements AutoCloseable {
  public static final String SYSTEM_NAME = "fedmesh";
  public static final String SINGLETON_NAME = "round-coordinator";
  private static final Logger log = LoggerFactory.getLogger(FedmeshNode.class);

  private final ActorSystem<Void> system;
  private final NodeSettings settings;

  private FedmeshNode(ActorSystem<Void> system, NodeSettings settings) {
    this.system = system;
    this.settings = settings;
  }

  /**
   * Starts a member. {@code config} holds the {@code fedmesh} section (on top of reference.conf); the
   * member's data (through {@code updates}) and identity are handed over already loaded.
   */
  public static FedmeshNode start(Config config, MemberIdentity identity, LocalUpdates updates,
                                  CommitListener listener) {
    return start(config, identity, updates, listener, UnaryOperator.identity());
  }

  /**
   * As {@link #start(Config, MemberIdentity, LocalUpdates, CommitListener)}, with the ring endpoint's behaviour
   * passed through {@code ringEndpoint}: tests make a real member whose endpoint misbehaves (goes silent, sends
   * garbage) with it. Never for production use.
   */
  public static FedmeshNode start(Config config, MemberIdentity identity, LocalUpdates updates,
                                  CommitListener listener,
                                  UnaryOperator<Behavior<AllReduceProtocol.Command>> ringEndpoint) {
    Config resolved = config.withFallback(defaults()).resolve();
    NodeSettings settings = NodeSettings.fromConfig(resolved);
    if (!identity.nodeId().equals(settings.nodeId())) {
      throw new NodeSettings.InvalidSettingsException(List.of("fedmesh.node-id '" + settings.nodeId()
          + "' differs from the name in the member certificate '" + identity.nodeId() + "'"));
    }
    if (settings.tls().enabled()) {
      requireSameIdentity(settings.identity(), identity);
    } else {
      log.warn("INSECURE: fedmesh.tls.insecure-plain-tcp = on: member {} talks plain TCP. Anyone who reaches {}:{}"
          + " can join the cluster and send messages to this member, and traffic is readable on the network."
          + " Use it only for tests on a trusted network.", settings.nodeId(), settings.host(), settings.port());
    }
    WeightedUpdateCodec codec = codecFor(settings, updates.parameterCount())
        .withCountSlots(updates.evaluationSlots());
    ServerOptimizer optimizer = serverOptimizer(settings.aggregation());
    Optional<CheckpointStore> checkpoints = Optional.ofNullable(settings.checkpointDir()).map(CheckpointStore::new);
    boolean restarted = checkpoints.map(CheckpointStore::holdsHistory).orElse(false);
    ModelState initial = initialModel(updates, optimizer, checkpoints);
    SeedList seeds = seedList(settings, restarted, initial);
    Config systemConfig = systemConfig(resolved, settings, seeds);
    ConsortiumScaling scaling = updates.consortiumScaling();
    Map<String, String> fingerprint = SharedSettings.fingerprint(settings, scaling.features());
    // The statistics round comes on top of the training rounds configured.
    long rounds = settings.roundsWithinBudget() == 0 || !scaling.enabled() ? settings.roundsWithinBudget()
        : settings.roundsWithinBudget() + 1;

    Behavior<Void> guardian = Behaviors.setup(context -> {
      // Before the coordinator can start: with TLS, only members the guard verified count.
      MembershipGuard.start(context, settings.tls().enabled());
      ActorRef<AllReduceProtocol.Command> ring = context.spawn(ringEndpoint.apply(ringEndpoint(settings)), "ring");
      AggregationPipeline pipeline = new AggregationPipeline(codec, optimizer, updates.parameterCount(),
          updates.consortiumScaling());
      Participant.Setup setup = new Participant.Setup(settings.nodeId(), identity, updates, pipeline,
          settings.aggregation().secure(), settings.aggregation().allowUnsafeTwoParty(), checkpoints, ring,
          VectorSerializer.floatsPerMessage(settings.aggregation().chunkBytes()), fingerprint,
          GuardedListener.of(listener, log)); // an observer that throws must not stop the participant
      ActorRef<ParticipantCommand> participant = context.spawn(Participant.create(setup, initial), "participant");
      context.getSystem().receptionist().tell(Receptionist.register(Participant.KEY, participant));
      ClusterSingleton.get(context.getSystem()).init(SingletonActor.<CoordinatorCommand>of(
              RoundCoordinator.create(settings.coordinator(), rounds, settings.aggregation().secure(), fingerprint,
                  identity),
              SINGLETON_NAME)
          // On the oldest trainer: the host members expect coordinator messages sealed by (CoordinatorHost).
          .withSettings(ClusterSingletonSettings.create(context.getSystem()).withRole(RoundCoordinator.TRAINER_ROLE))
          .withStopMessage(RoundCoordinator.Stop.INSTANCE));
      if (settings.membership().watchIsolation()) {
        context.spawn(IsolationWatch.create(settings.membership()), "isolation-watch");
      }
      Duration restartJoinTimeout = settings.membership().restartJoinTimeout();
      if (!seeds.fallback().isEmpty() && !restartJoinTimeout.isZero()) {
        context.spawn(SeedListFallback.create(SYSTEM_NAME, seeds.fallback(), restartJoinTimeout),
            "seed-list-fallback");
      }
      return Behaviors.empty();
    });
    return new FedmeshNode(ActorSystem.create(guardian, SYSTEM_NAME, systemConfig), settings);
  }

  /**
   * Every reference.conf with fedmesh's Pekko settings on top (cluster provider, split brain resolver, logging);
   * a member's own configuration goes on top of this.
   */
  public static Config defaults() {
    return ConfigFactory.parseResources(FedmeshNode.class.getClassLoader(), "fedmesh-pekko.conf")
        .withFallback(ConfigFactory.defaultReference());
  }

  /**
   * The member's ring all-reduce endpoint, pieces sized to the configured chunk. Restarted after a failure; it then
   * tells whoever waits on the lost attempt, so the attempt is aborted with the cause instead of stalling.
   */
  public static Behavior<AllReduceProtocol.Command> ringEndpoint(NodeSettings settings) {
    int pieceWords = VectorSerializer.longsPerMessage(settings.aggregation().chunkBytes());
    return Behaviors.supervise(RingAllReduce.create(pieceWords)).onFailure(SupervisorStrategy.restart());
  }

  /** The codec every member must share: bounds chosen so that no sum can wrap. */
  public static WeightedUpdateCodec codecFor(NodeSettings settings) {
    NodeSettings.AggregationSettings a = settings.aggregation();
    return WeightedUpdateCodec.create(a.clipNorm(), a.fractionalBits(), a.maxParticipants(), a.maxSamples(),
        a.maxLoss());
  }

  /**
   * The codec for a model of {@code parameterCount} parameters. With member-level DP its clip norm is raised, when
   * needed, above what a clipped update plus its noise share reaches: clipping a noisy update would scale the
   * noise with the data. Every member computes the same from the same shared settings.
   */
  public static WeightedUpdateCodec codecFor(NodeSettings settings, int parameterCount) {
    NodeSettings.AggregationSettings a = settings.aggregation();
    if (settings.dp().level() != DpSettings.Level.MEMBER) {
      return codecFor(settings);
    }
    double noisyBound = MemberLevelNoise.normBound(settings.dp(), settings.noiseShares(),
        parameterCount);
    if (noisyBound <= a.clipNorm()) {
      return codecFor(settings);
    }
    log.info("Member-level DP: encoding updates up to norm {} (aggregation.clip-norm {} is below what an update"
        + " with its noise share reaches)", noisyBound, a.clipNorm());
    return WeightedUpdateCodec.create(noisyBound, a.fractionalBits(), a.maxParticipants(), a.maxSamples(),
        a.maxLoss());
  }

  /** The server optimizer the settings name, with its parameters. */
  public static ServerOptimizer serverOptimizer(NodeSettings.AggregationSettings a) {
    return ServerOptimizer.fromSettings(a.strategy().serverOptimizer(), a.serverLearningRate(), a.serverMomentum(),
        new ServerOptimizer.Adaptive(a.serverAdaptiveLearningRate(), a.serverBeta1(), a.serverBeta2(),
            a.serverTau()));
  }

  private static ModelState initialModel(LocalUpdates updates, ServerOptimizer optimizer,
                                         Optional<CheckpointStore> checkpoints) {
    int parameters = updates.parameterCount();
    if (checkpoints.isPresent()) {
      try {
        Optional<ModelState> saved = checkpoints.get().load();
        if (saved.isPresent()) {
          if (saved.get().parameters().length != parameters) {
            boolean withoutStatistics = saved.get().parameters().length
                == parameters - updates.consortiumScaling().sectionLength();
            throw new IllegalStateException("the checkpoint " + checkpoints.get().file() + " holds "
                + saved.get().parameters().length + " parameters but the configured model has " + parameters
                + (withoutStatistics && updates.consortiumScaling().enabled() ? ": it was written before models"
                + " kept the consortium's feature statistics (data.scaling = standardize since protocol 3); start"
                + " the consortium again from empty checkpoint directories (OPERATIONS.md, Upgrading)" : ""));
          }
          int stateLength = optimizer.initialState(parameters).length;
          if (saved.get().optimizerState().length != stateLength) {
            throw new IllegalStateException("the checkpoint " + checkpoints.get().file() + " holds "
                + saved.get().optimizerState().length + " server optimizer values but the configured server"
                + " optimizer keeps " + stateLength + ": it was written with another aggregation.strategy");
          }
          return saved.get();
        }
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot read the checkpoint: " + e.getMessage(), e);
      }
    }
    return ModelState.of(0, updates.initialParameters(), optimizer.initialState(parameters));
  }

  /**
   * The actor system's configuration for a member starting for the first time: {@code resolved} (its fedmesh
   * section over the defaults) with Pekko's address and seed nodes taken from it; refuses a chunk size Artery would
   * drop. The benchmarks build their members with it too, so they measure the settings members run with.
   */
  public static Config systemConfig(Config resolved, NodeSettings settings) {
    return systemConfig(resolved, settings,
        SeedList.choose(settings.seedNodes(), settings.host() + ":" + settings.port(), false));
  }

  private static Config systemConfig(Config resolved, NodeSettings settings, SeedList seeds) {
    Config systemConfig = pekkoOverrides(resolved, settings, seeds).withFallback(resolved);
    checkFrameSize(systemConfig, settings);
    return systemConfig;
  }

  /** The seed nodes to join through: without this member itself when it restarts (see {@link SeedList}). */
  private static SeedList seedList(NodeSettings settings, boolean restarted, ModelState initial) {
    SeedList seeds = SeedList.choose(settings.seedNodes(), settings.host() + ":" + settings.port(), restarted);
    String at = restarted ? " (checkpoint at round " + initial.round() + ")" : "";
    if (seeds.warning()) {
      log.warn("Member {}: {}{}", settings.nodeId(), seeds.reason(), at);
    } else if (!settings.seedNodes().isEmpty()) {
      log.info("Member {}: {}{}", settings.nodeId(), seeds.reason(), at);
    }
    return seeds;
  }

  /**
   * Host, port, seed nodes and transport from the fedmesh section, so a site config needs no pekko section at all.
   * The member announces its node id as a cluster role, which the {@link MembershipGuard} checks against its
   * certificate. Mutual TLS needs the identity files: refused without them unless plain TCP is asked for.
   */
  private static Config pekkoOverrides(Config resolved, NodeSettings settings, SeedList seeds) {
    Map<String, Object> overrides = new HashMap<>();
    List<String> roles = new ArrayList<>(resolved.getStringList("pekko.cluster.roles"));
    roles.add(MembershipGuard.nodeIdRole(settings.nodeId()));
    overrides.put("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
    if (settings.tls().enabled()) {
      if (!settings.identity().hasFiles()) {
        throw new NodeSettings.InvalidSettingsException(List.of("fedmesh.tls: members talk mutual TLS, which needs"
            + " fedmesh.identity.key, certificate and ca (PEM files from `fedmesh cert issue`); plain TCP only with"
            + " fedmesh.tls.insecure-plain-tcp = on, for tests on a trusted network"));
      }
      overrides.put("pekko.remote.artery.transport", "tls-tcp");
      overrides.put("pekko.remote.artery.ssl.ssl-engine-provider", MemberTlsEngineProvider.class.getName());
    } else {
      overrides.put("pekko.remote.artery.transport", "tcp");
    }
    overrides.put("pekko.remote.artery.canonical.hostname", settings.host());
    overrides.put("pekko.remote.artery.canonical.port", settings.port());
    overrides.put("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds.seeds().stream()
        .map(s -> "pekko://" + SYSTEM_NAME + "@" + s).toList()));
    return ConfigFactory.parseMap(overrides);
  }

  private static void checkFrameSize(Config config, NodeSettings settings) {
    long frame = config.getBytes("pekko.remote.artery.advanced.maximum-frame-size");
    if (settings.aggregation().chunkBytes() > frame) {
      throw new NodeSettings.InvalidSettingsException(List.of("fedmesh.aggregation.chunk-bytes ("
          + settings.aggregation().chunkBytes() + ") exceeds pekko.remote.artery.advanced.maximum-frame-size ("
          + frame + "): Artery would silently drop every vector message"));
    }
  }

  /** The identity handed over must be the one in the files the TLS layer reads, or the member would be two. */
  private static void requireSameIdentity(NodeSettings.IdentitySettings files, MemberIdentity identity) {
    try {
      MemberIdentity onDisk = MemberIdentity.load(Path.of(files.key()), Path.of(files.certificate()),
          Path.of(files.ca()));
      if (!onDisk.certificate().equals(identity.certificate())) {
        throw new NodeSettings.InvalidSettingsException(List.of("fedmesh.identity: the certificate in "
            + files.certificate() + " is not the one this member was started with"));
      }
    } catch (java.io.IOException e) {
      throw new NodeSettings.InvalidSettingsException(List.of("fedmesh.identity: " + e.getMessage()));
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public NodeSettings settings() {
    return settings;
  }

  public String nodeId() {
    return settings.nodeId();
  }

  /** Leaves the cluster gracefully (coordinated shutdown) and waits for the system to stop. */
  @Override
  public void close() {
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      system.log().warn("Actor system did not stop within {}", Duration.ofSeconds(30));
    }
  }
}
