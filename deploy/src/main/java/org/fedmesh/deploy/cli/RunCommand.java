package org.fedmesh.deploy.cli;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.fedmesh.deploy.operations.MemberOperations;
import org.fedmesh.deploy.operations.OperationsEndpoint;
import org.fedmesh.deploy.operations.OperationsSettings;
import org.fedmesh.deploy.operations.RoundProgress;
import org.fedmesh.mpc.pki.CertificateValidator;
import org.fedmesh.mpc.pki.IssuedCertificates;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.mpc.pki.RevocationList;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.LocalTraining;
import org.fedmesh.node.NodeSettings;
import org.fedmesh.node.SiteData;
import org.fedmesh.node.membership.IsolationWatch;
import org.fedmesh.node.data.TrainTest;
import org.fedmesh.node.model.Evaluation;
import org.fedmesh.node.model.LocalTrainer;
import org.fedmesh.node.model.NativeThreads;
import org.fedmesh.node.model.TrainingConfig;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.ConsortiumScaling;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.node.round.SecureEvaluation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedmesh run --config SITE.conf}: one consortium member as its own process. The configuration is checked
 * as a whole before the member joins: settings, files, identity and data, every problem reported at once.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run one consortium member from a site configuration (HOCON); -Dfedmesh.KEY=VALUE overrides.")
public final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
  /**
   * Exit code when the cluster downed this member, or it left because it was cut off from a majority of the
   * consortium for too long: either way a supervisor (systemd) should start it again.
   */
  public static final int EXIT_DOWNED = 3;

  @Option(names = "--config", required = true, description = "The site's HOCON configuration file.")
  Path config;

  @Override
  public Integer call() throws Exception {
    Config site = SiteConfig.load(config);
    Member member = check(site);
    NativeThreads.limit(1);
    TrainTest data = member.data();
    NodeSettings s = member.settings();
    int classes = data.train().numClasses();
    LocalTraining training = new LocalTraining(s.model(), s.training(), data.train(), classes, s.modelSeed(), s.dp(),
        s.noiseShares(), data.test(), s.data().consortiumStatistics());
    MemberOperations operations = new MemberOperations(s.nodeId(), Optional.ofNullable(s.checkpointDir()));
    operations.privacy(training::privacySpent, s.dp());
    CommitListener evaluate = localEvaluation(s, data, classes, training, operations);
    // Where each round stands: a bar on a terminal, else an INFO line per phase in the member's log.
    RoundProgress progress = RoundProgress.forOutput(1, System.err, log::info);
    operations.activity().progress(progress);
    FedmeshNode node = FedmeshNode.start(MemberOperations.instrumented(site), member.identity(),
        operations.observe(training), operations.listener(evaluate));
    serveOperations(member, operations, node);
    log.info("Member {} started on {}:{} with {} training and {} held-out rows; seed nodes {}; {}", s.nodeId(),
        s.host(), s.port(), data.train().rows(), data.test().rows(), s.seedNodes(),
        s.tls().enabled() ? "mutual TLS (" + s.tls().protocol() + ") with the consortium CA" : "PLAIN TCP");
    if (s.dp().enabled()) {
      log.info("Differential privacy: {}; rounds within the budget: {}", s.dp(),
          s.roundsWithinBudget() == 0 ? "no limit" : s.roundsWithinBudget());
    }
    awaitTermination(node);
    progress.close();
    Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(node.system()).getShutdownReason();
    if (reason.filter(r -> r.equals(CoordinatedShutdown.clusterDowningReason())).isPresent()) {
      // Unreachable for too long, or on the minority side of a partition: a supervisor should start it again.
      log.warn("Member {} was downed by the cluster; start it again to rejoin and catch up (if the other members"
          + " downed it for its certificate, see their 'Downing member' line: a restart will not help)", s.nodeId());
      return EXIT_DOWNED;
    }
    if (reason.filter(r -> r.equals(IsolationWatch.REASON)).isPresent()) {
      // Alone or in a cluster smaller than a majority for too long: a fresh start joins the others again.
      log.warn("Member {} left because it was cut off from a majority of the consortium for {}; start it again to"
          + " rejoin and catch up", s.nodeId(), s.membership().isolationExitAfter());
      return EXIT_DOWNED;
    }
    log.info("Member {} stopped", s.nodeId());
    return 0;
  }

  /** Opens the status endpoint; a port in use stops the member (exit 1) rather than running it unobserved. */
  private static void serveOperations(Member member, MemberOperations operations, FedmeshNode node) {
    OperationsSettings settings = member.operations();
    if (!settings.enabled()) {
      log.info("Member {}: operations endpoint off (fedmesh.operations.enabled = off)", member.settings().nodeId());
      return;
    }
    String list = member.settings().identity().revocationList();
    try {
      OperationsEndpoint endpoint = operations.serve(settings, node.system(), member.identity(),
          list.isEmpty() ? Optional.empty() : Optional.of(Path.of(list)), member.data().train().rows());
      log.info("Member {}: operations endpoint on http://{}:{}/ (status, metrics, health/alive, health/ready)",
          member.settings().nodeId(), endpoint.host(), endpoint.port());
      writePortFile(member.settings().checkpointDir(), endpoint.port());
    } catch (java.io.IOException e) {
      node.close();
      throw new NodeSettings.InvalidSettingsException(List.of(OperationsSettings.PATH + ": cannot listen on "
          + settings.host() + ":" + settings.port() + ": " + e.getMessage()));
    }
  }

  /** The bound port next to the journal, so that {@code fedmesh status --config} finds an ephemeral one. */
  private static void writePortFile(Path checkpointDir, int port) {
    try {
      Files.createDirectories(checkpointDir);
      Path temp = checkpointDir.resolve(OperationsSettings.PORT_FILE + ".tmp");
      Files.writeString(temp, port + "\n");
      Files.move(temp, checkpointDir.resolve(OperationsSettings.PORT_FILE),
          java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (java.io.IOException e) {
      log.warn("Cannot write {} in {}: {}", OperationsSettings.PORT_FILE, checkpointDir, e.getMessage());
    }
  }

  /** How long the actor system may take to stop once coordinated shutdown began, before the process exits anyway. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(45);

  /**
   * Waits until the member's actor system has terminated, or for at most {@link #STOP_GRACE} after its coordinated
   * shutdown began: a system that never finishes terminating (seen once in the chaos test, after a frozen member was
   * downed) must not keep a dead member's process alive, or its supervisor never starts it again.
   */
  private static void awaitTermination(FedmeshNode node) throws InterruptedException {
    java.util.concurrent.CompletableFuture<?> terminated = node.system().getWhenTerminated().toCompletableFuture();
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(node.system());
    long shutdownSeen = 0;
    while (!terminated.isDone()) {
      try {
        terminated.get(1, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        if (shutdown.getShutdownReason().isPresent() && shutdownSeen == 0) {
          shutdownSeen = System.nanoTime();
        } else if (shutdownSeen != 0 && System.nanoTime() - shutdownSeen > STOP_GRACE.toNanos()) {
          log.error("The actor system did not stop within {} of its coordinated shutdown ({}); exiting anyway",
              STOP_GRACE, shutdown.getShutdownReason().get());
          return;
        }
      }
    }
  }

  private record Member(NodeSettings settings, MemberIdentity identity, TrainTest data,
                        OperationsSettings operations) {}

  /** Settings, files, certificate and data: all problems at once, before anything starts. */
  private static Member check(Config site) {
    List<String> problems = new ArrayList<>();
    NodeSettings settings = null;
    try {
      settings = NodeSettings.fromConfig(site);
    } catch (NodeSettings.InvalidSettingsException e) {
      problems.addAll(e.problems());
    }
    for (String key : List.of("identity.key", "identity.certificate", "identity.ca", "data.path")) {
      String value = site.hasPath("fedmesh." + key) ? site.getString("fedmesh." + key) : "";
      if (value.isEmpty()) {
        problems.add("fedmesh." + key + ": required to run a member");
      } else if (!Files.exists(Path.of(value))) {
        problems.add("fedmesh." + key + ": " + value + " does not exist");
      }
    }
    String revocationList = site.hasPath("fedmesh.identity.revocation-list")
        ? site.getString("fedmesh.identity.revocation-list") : "";
    if (!revocationList.isEmpty() && !Files.exists(Path.of(revocationList))) {
      problems.add("fedmesh.identity.revocation-list: " + revocationList + " does not exist");
    }
    OperationsSettings operations = OperationsSettings.fromConfig(site, problems);
    if (!site.hasPath("fedmesh.checkpoint-dir") || site.getString("fedmesh.checkpoint-dir").isEmpty()) {
      problems.add("fedmesh.checkpoint-dir: required to run a member (without it a restart loses the model)");
    }
    MemberIdentity identity = null;
    TrainTest data = null;
    if (problems.isEmpty()) {
      try {
        NodeSettings.IdentitySettings files = settings.identity();
        identity = MemberIdentity.load(Path.of(files.key()), Path.of(files.certificate()), Path.of(files.ca()));
        CertificateValidator.validateMember(identity.certificate(), identity.caCertificate(), Instant.now());
        if (!identity.nodeId().equals(settings.nodeId())) {
          problems.add("fedmesh.node-id: '" + settings.nodeId() + "' but the certificate is for '"
              + identity.nodeId() + "'");
        }
      } catch (Exception e) {
        problems.add("fedmesh.identity: " + e.getMessage());
      }
      String list = settings.identity().revocationList();
      if (identity != null && !list.isEmpty()) {
        try {
          if (RevocationList.load(Path.of(list), identity.caCertificate())
              .isRevoked(identity.certificate().getSerialNumber())) {
            problems.add("fedmesh.identity: this member's certificate (serial "
                + IssuedCertificates.serialHex(identity.certificate().getSerialNumber()) + ") is revoked in " + list
                + "; the other members would refuse it: get a new certificate from the consortium CA");
          }
        } catch (Exception e) {
          problems.add("fedmesh.identity.revocation-list: " + e.getMessage());
        }
      }
      try {
        SiteData.Prepared prepared = SiteData.prepare(settings.data());
        data = prepared.data();
        prepared.report().lines().forEach(log::info);
      } catch (RuntimeException e) {
        problems.add("fedmesh.data: " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new NodeSettings.InvalidSettingsException(problems);
    }
    return new Member(settings, identity, data, operations);
  }

  /** After each commit, the model's accuracy on this member's held-out rows, off the participant's thread. */
  private static CommitListener localEvaluation(NodeSettings s, TrainTest data, int classes, LocalTraining training,
                                                MemberOperations operations) {
    ExecutorService evaluator = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "local-evaluation");
      t.setDaemon(true);
      return t;
    });
    LocalTrainer trainer = new LocalTrainer(s.model(), data.train().cols(), classes,
        TrainingConfig.of(1, s.training().batchSize(), s.training().optimizer(), 1));
    ConsortiumScaling scaling = training.consortiumScaling();
    return new CommitListener() {
      @Override
      public void committed(String nodeId, ModelState model, double loss) {
        if (data.test().rows() == 0) {
          return;
        }
        evaluator.execute(() -> {
          Evaluation e = trainer.evaluate(scaling.network(model.parameters()),
              scaling.prepare(model.parameters(), data.test()));
          boolean classification = data.test().isClassification();
          operations.activity().evaluated(model.round(), classification ? "accuracy" : "mse",
              classification ? e.accuracy() : e.meanSquaredError());
          log.info(String.format(Locale.ROOT, "Round %d (%s): local held-out %s %.4f on %d rows", model.round(),
              model.shortHash(), data.test().isClassification() ? "accuracy" : "MSE",
              data.test().isClassification() ? e.accuracy() : e.meanSquaredError(), data.test().rows()));
        });
      }

      @Override
      public void evaluated(String nodeId, SecureEvaluation evaluation) {
        log.info(String.format(Locale.ROOT, "Round %d's model on every member's held-out rows (secure sum):"
            + " accuracy %.4f on %d rows; per class %s", evaluation.modelRound(), evaluation.accuracy(),
            evaluation.totalRows(), Arrays.toString(Arrays.stream(evaluation.classAccuracy())
                .mapToObj(a -> String.format(Locale.ROOT, "%.3f", a)).toArray())));
      }
    };
  }

}
