package org.fedmesh.deploy.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.fedmesh.deploy.JsonReport;
import org.fedmesh.deploy.bench.NumpyFedAvgSimulation;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.deploy.operations.ListenerChain;
import org.fedmesh.deploy.operations.MemberActivity;
import org.fedmesh.deploy.operations.ObservedUpdates;
import org.fedmesh.deploy.operations.RoundProgress;
import org.fedmesh.node.LocalTraining;
import org.fedmesh.node.Strategy;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.TrainTest;
import org.fedmesh.node.data.Partition;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.model.Evaluation;
import org.fedmesh.node.model.LocalTrainer;
import org.fedmesh.node.model.ModelSpec;
import org.fedmesh.node.model.OptimizerSpec;
import org.fedmesh.node.model.TrainResult;
import org.fedmesh.node.model.TrainingConfig;
import org.fedmesh.node.privacy.DpGuarantee;
import org.fedmesh.node.privacy.DpSettings;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.ConsortiumScaling;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.node.round.SecureEvaluation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedmesh demo}: N members in this JVM train one model together over a real Pekko cluster on 127.0.0.1,
 * then the same model is trained centrally on the pooled data for the same number of epochs, for comparison.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a consortium of N members in this JVM on 127.0.0.1 and compare with centralized training.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "3", description = "Members (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--rounds", defaultValue = "10", description = "Rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--dataset", description = "fashion-mnist | breast-cancer | digits | synthetic | PATH.csv "
      + "(default: fashion-mnist when installed, else breast-cancer).")
  String dataset;

  @Option(names = "--partition", defaultValue = "iid", description = "iid | dirichlet:ALPHA (default: ${DEFAULT-VALUE}).")
  String partition;

  @Option(names = "--model", description = "logistic | softmax | linear | mlp:H1,H2,... | cnn:C1,C2,... (images;"
      + " default: per data set).")
  String model;

  @Option(names = "--optimizer", description = "Local optimizer, sgd:LR[,MOMENTUM] | adam:LR (default: per data set).")
  String optimizer;

  @Option(names = "--local-epochs", defaultValue = "1", description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
  int localEpochs;

  @Option(names = "--batch-size", description = "Minibatch size (default: per data set).")
  Integer batchSize;

  @Option(names = "--strategy", defaultValue = "fedavg", converter = StrategyConverter.class,
      description = "fedavg | fedprox | fedavgm | fedadam | fedyogi (default: ${DEFAULT-VALUE}).")
  Strategy strategy;

  @Option(names = "--server-learning-rate", description = "The server step's learning rate (default: 1.0 for"
      + " fedavg, fedprox and fedavgm; for fedadam and fedyogi 0.01 on Fashion-MNIST, 0.1 on tables).")
  Double serverLearningRate;

  @Option(names = "--proximal-mu", description = "FedProx's mu, for --strategy fedprox (default: 0.01).")
  Double proximalMu;

  @Option(names = "--augment", description = "Local training's image augmentation: none | hflip (cnn models only;"
      + " default: none).")
  String augment = "none";

  @Option(names = "--secure", defaultValue = "on", description = "Secure aggregation on|off (default: ${DEFAULT-VALUE}).")
  String secure;

  @Option(names = "--tls", defaultValue = "on", description = "Members talk mutual TLS with certificates of an"
      + " in-memory CA (written to a temporary directory) on|off (default: ${DEFAULT-VALUE}).")
  String tls;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for split, partition and training (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--target-accuracy", defaultValue = "0.87", description = "The report gives the seconds until"
      + " the consortium's model first reached this test accuracy (default: ${DEFAULT-VALUE}).")
  double targetAccuracy;

  @Option(names = "--numpy-simulation", description = "After the federated run, time a single-process FedAvg"
      + " simulation of the same MLP on the same members' rows in numpy (benchmarks/numpy_fedavg.py; needs python3"
      + " with numpy, an mlp or softmax model and sgd), for the time to --target-accuracy.")
  boolean numpySimulation;

  @Option(names = "--no-centralized", description = "Skip the centralized baseline.")
  boolean noCentralized;

  @Option(names = "--dp", defaultValue = "none", description = "Differential privacy: none | record (DP-SGD in"
      + " each member) | member (clipped updates, noise shared out among the members) (default: ${DEFAULT-VALUE}).")
  String dp;

  @Option(names = "--dp-noise", defaultValue = "1.0", description = "Noise multiplier z (default: ${DEFAULT-VALUE}).")
  double dpNoise;

  @Option(names = "--dp-clip", defaultValue = "1.0", description = "Clip norm C of a record's gradient (record) or a"
      + " member's update (member) (default: ${DEFAULT-VALUE}).")
  double dpClip;

  @Option(names = "--dp-delta", defaultValue = "1e-5", description = "The delta epsilon is reported at"
      + " (default: ${DEFAULT-VALUE}).")
  double dpDelta;

  @Option(names = "--dp-epsilon-budget", defaultValue = "0", description = "Stop before a round that would spend"
      + " more epsilon; 0 = none (default: ${DEFAULT-VALUE}).")
  double dpEpsilonBudget;

  @Option(names = "--dp-sample-rate", description = "Record level: each step samples each record with this"
      + " probability (default: batch size / the smallest member's rows).")
  Double dpSampleRate;

  @Option(names = "--dp-colluders", defaultValue = "1", description = "Member level: the guarantee holds against"
      + " this many members pooling what they know, their own noise shares included (default: ${DEFAULT-VALUE}).")
  int dpColluders;

  @Option(names = "--report", description = "Write a JSON report to this file.")
  Path report;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    String name = dataset != null ? dataset : DemoData.defaultName();
    if (dataset == null) {
      System.out.println("No --dataset given: using " + name + (name.equals(DemoData.FASHION_MNIST)
          ? " (installed)" : " (Fashion-MNIST is not installed; apt-get install dataset-fashion-mnist)"));
    }
    boolean secureOn = OnOff.parse("--secure", secure);
    EmbeddedConsortium.Transport transport = OnOff.parse("--tls", tls)
        ? EmbeddedConsortium.Transport.MUTUAL_TLS : EmbeddedConsortium.Transport.PLAIN_TCP;
    if (secureOn && nodes < 3) {
      throw new IllegalArgumentException("secure aggregation needs at least 3 members: with " + nodes
          + ", the sum would give each member the other's update (use --nodes 3 or more)");
    }
    if (nodes < 1 || rounds < 1) {
      throw new IllegalArgumentException("--nodes and --rounds must be at least 1");
    }
    DemoData data = DemoData.load(name, seed);
    ModelSpec spec = model != null ? ModelSpec.parse(model) : data.defaultModel();
    OptimizerSpec localOptimizer = OptimizerSpec.parse(optimizer != null ? optimizer : data.defaultOptimizer());
    int batchSize = this.batchSize != null ? this.batchSize : data.defaultBatchSize();
    Partition split = Partitioner.parse(partition);
    List<Dataset> parts = split.split(data.data().train(), nodes, seed);
    // Each member holds out a share of the test rows, so the secure evaluation covers the very rows the demo scores.
    List<Dataset> heldOut = Partitioner.iid(data.data().test(), nodes, seed);
    System.out.printf(Locale.ROOT, "Data set %s (%s): %d training rows, %d test rows, %d features; model %s;"
            + " local %s, batch %d, %d epoch(s) per round; strategy %s; %d members, %s partition;"
            + " secure aggregation %s; %s%n",
        data.name(), data.source(), data.data().train().rows(), data.data().test().rows(),
        data.data().train().cols(), spec, localOptimizer, batchSize, localEpochs, strategy, nodes, split,
        secureOn ? "on" : "OFF", transport == EmbeddedConsortium.Transport.MUTUAL_TLS ? "mutual TLS" : "PLAIN TCP");
    for (int i = 0; i < parts.size(); i++) {
      System.out.printf(Locale.ROOT, "  node-%d: %d rows, labels %s%n", i + 1, parts.get(i).rows(),
          Arrays.toString(parts.get(i).labelCounts()));
    }

    Map<String, Object> shared = new HashMap<>();
    shared.put("fedmesh.rounds", rounds);
    shared.put("fedmesh.model.spec", spec.toString());
    shared.put("fedmesh.training.local-epochs", localEpochs);
    shared.put("fedmesh.training.batch-size", batchSize);
    shared.put("fedmesh.training.optimizer", localOptimizer.toString());
    if (proximalMu != null) {
      if (!strategy.proximal()) {
        throw new IllegalArgumentException("--proximal-mu is FedProx's weight: use it with --strategy fedprox");
      }
      shared.put("fedmesh.training.proximal-mu", proximalMu);
    }
    shared.put("fedmesh.training.seed", seed);
    shared.put("fedmesh.training.augment", augment);
    shared.put("fedmesh.aggregation.secure", secureOn);
    shared.put("fedmesh.aggregation.strategy", strategy.key());
    double serverRate = serverLearningRate != null ? serverLearningRate
        : strategy.adaptive() ? data.defaultAdaptiveServerRate() : 1.0;
    shared.put(strategy.adaptive() ? "fedmesh.aggregation.server-adaptive-learning-rate"
        : "fedmesh.aggregation.server-learning-rate", serverRate);
    shared.put("fedmesh.coordinator.min-participants", nodes);
    DpSettings privacy = privacySettings(parts, batchSize);
    shared.put("fedmesh.dp.level", privacy.level().key());
    shared.put("fedmesh.dp.noise", privacy.noise());
    shared.put("fedmesh.dp.clip", privacy.clip());
    shared.put("fedmesh.dp.delta", privacy.delta());
    shared.put("fedmesh.dp.epsilon-budget", privacy.epsilonBudget());
    shared.put("fedmesh.dp.sample-rate", privacy.sampleRate());
    shared.put("fedmesh.dp.colluders", privacy.colluders());
    Config sharedConfig = ConfigFactory.parseMap(shared);
    // Tables: the members learn the pooled statistics with the secure sum in a first round of their own; not under
    // DP, which does not cover that round: then the pooled statistics stand in for scaling agreed beforehand.
    boolean consortiumStatistics = data.raw() != null && !privacy.enabled();
    TrainTest memberRows = consortiumStatistics ? data.raw() : data.data();
    List<Dataset> memberParts = consortiumStatistics ? split.split(memberRows.train(), nodes, seed) : parts;
    List<Dataset> memberHeldOut = consortiumStatistics ? Partitioner.iid(memberRows.test(), nodes, seed) : heldOut;
    if (data.raw() != null) {
      System.out.println(consortiumStatistics
          ? "Features standardised with the consortium's statistics, learnt with the secure sum in round 1"
          : "Features standardised with the pooled statistics (with DP, a consortium agrees on its scaling"
              + " beforehand: the statistics round is not covered by DP)");
    }
    if (privacy.enabled()) {
      long withinBudget = privacy.maxRounds(privacy.stepsPerRound(localEpochs));
      System.out.println("Differential privacy: " + privacy);
      if (withinBudget == 0) {
        throw new IllegalArgumentException("--dp-epsilon-budget " + privacy.epsilonBudget()
            + " is spent by the first round already (epsilon " + privacy.after(1, privacy.stepsPerRound(localEpochs))
            .epsilon() + ")");
      }
      if (withinBudget < rounds) {
        System.out.printf(Locale.ROOT, "The epsilon budget %s allows %d of the %d rounds: training stops after"
            + " round %d.%n", privacy.epsilonBudget(), withinBudget, rounds, withinBudget);
        rounds = (int) withinBudget;
      }
    }

    // Handed over from the participant's thread in the queued record itself, never through a shared map.
    BlockingQueue<CommittedRound> toEvaluate = new LinkedBlockingQueue<>();
    List<Double> accuracyPerRound = new ArrayList<>();
    List<Double> lossList = new ArrayList<>();
    List<Double> secondsPerRound = new ArrayList<>();
    Map<String, String> hashes;
    Map<String, DpGuarantee> spent = new TreeMap<>();
    Map<Long, SecureEvaluation> secureEvaluations = new java.util.concurrent.ConcurrentHashMap<>();
    double federatedSeconds;
    double shutdownSeconds;
    double startupSeconds = 0;
    try (LocalTrainer evaluator = new LocalTrainer(spec, data.data().train().cols(), data.numClasses(),
        TrainingConfig.of(1, batchSize, localOptimizer, seed))) {
      long federationStarted = System.nanoTime();
      CommitListener listener = new CommitListener() {
        @Override
        public void committed(String nodeId, ModelState state, double loss) {
          if (nodeId.equals("node-1")) {
            toEvaluate.add(new CommittedRound(state, loss, System.nanoTime()));
          }
        }

        @Override
        public void evaluated(String nodeId, SecureEvaluation evaluation) {
          if (nodeId.equals("node-1")) {
            secureEvaluations.put(evaluation.modelRound(), evaluation);
          }
        }
      };
      List<EmbeddedConsortium.MemberSpec> plan = EmbeddedConsortium.plan(memberParts, memberHeldOut,
          data.numClasses(), sharedConfig, consortiumStatistics);
      // Each member's steps feed one display: a bar on a terminal, a line per phase in a log file.
      Map<String, MemberActivity> activities = new HashMap<>();
      List<EmbeddedConsortium.MemberSpec> observed = new ArrayList<>();
      for (EmbeddedConsortium.MemberSpec member : plan) {
        MemberActivity activity = new MemberActivity(member.nodeId(), 0, "", new SimpleMeterRegistry());
        activities.put(member.nodeId(), activity);
        observed.add(new EmbeddedConsortium.MemberSpec(member.nodeId(), member.port(),
            new ObservedUpdates(member.updates(), activity), member.config(), member.ringEndpoint()));
      }
      try (RoundProgress progress = RoundProgress.forOutput(plan.size(), System.out, System.out::println);
           EmbeddedConsortium consortium = EmbeddedConsortium.start(observed,
               ListenerChain.inOrder(ListenerChain.byMember(activities), listener), transport)) {
        activities.values().forEach(a -> a.progress(progress));
        startupSeconds = (System.nanoTime() - federationStarted) / 1e9;
        progress.println(String.format(Locale.ROOT, "%5s  %10s  %9s  %8s", "round", "train loss", "accuracy",
            "seconds"));
        int statisticsRounds = consortiumStatistics ? 1 : 0;
        ConsortiumScaling scaling = plan.get(0).updates().consortiumScaling(); // every member's is the same
        for (int r = 1; r <= rounds + statisticsRounds; r++) {
          CommittedRound committed = toEvaluate.poll(30, TimeUnit.MINUTES);
          if (committed == null) {
            System.err.println("No round committed for 30 minutes; giving up.");
            return 2;
          }
          if (r <= statisticsRounds) {
            progress.println(String.format(Locale.ROOT, "%5d  feature statistics (secure sum)  %8.1f",
                committed.model().round(), (System.nanoTime() - started) / 1e9));
            continue;
          }
          secondsPerRound.add((committed.atNanos() - federationStarted) / 1e9);
          ModelState state = committed.model();
          Evaluation eval = evaluator.evaluate(scaling.network(state.parameters()),
              scaling.prepare(state.parameters(), memberRows.test()));
          accuracyPerRound.add(eval.accuracy());
          lossList.add(committed.meanTrainingLoss());
          // Under DP the sum carries no training loss (it would carry no noise either).
          String loss = privacy.enabled() ? "-" : String.format(Locale.ROOT, "%.4f", committed.meanTrainingLoss());
          progress.println(String.format(Locale.ROOT, "%5d  %10s  %9.4f  %8.1f", state.round(), loss,
              eval.accuracy(), (System.nanoTime() - started) / 1e9));
        }
        if (!consortium.awaitRound(rounds + statisticsRounds, Duration.ofMinutes(2))) {
          System.err.println("Not every member committed round " + (rounds + statisticsRounds) + ": "
              + consortium.hashes());
        }
        hashes = consortium.hashes();
        federatedSeconds = (System.nanoTime() - federationStarted) / 1e9; // the consortium's shutdown is not in it
        for (EmbeddedConsortium.MemberSpec m : plan) { // the members' own training, not its observed wrapper
          if (m.updates() instanceof LocalTraining training) {
            spent.put(m.nodeId(), training.privacySpent());
          }
        }
      }
      shutdownSeconds = (System.nanoTime() - federationStarted) / 1e9 - federatedSeconds;
    }
    if (privacy.enabled()) {
      spent.forEach((id, g) -> System.out.printf(Locale.ROOT, "Privacy spent by %s: epsilon %.4f at delta %s (%s)%n",
          id, g.epsilon(), g.delta(), g.method()));
    }
    List<Double> secureAccuracy = new ArrayList<>();
    // Index k is model round k + firstEvaluated: the initial model, or the one the statistics round made.
    long firstEvaluated = secureEvaluations.keySet().stream().mapToLong(Long::longValue).min().orElse(0);
    for (long r = firstEvaluated; secureEvaluations.containsKey(r); r++) {
      secureAccuracy.add(secureEvaluations.get(r).accuracy());
    }
    if (secureAccuracy.size() > 1) {
      int last = secureAccuracy.size() - 1;
      System.out.printf(Locale.ROOT, "Secure evaluation (every member's held-out rows, counted in the secure sum):"
          + " round %d's model %.4f, the demo's own test of it %.4f%n", last + firstEvaluated, secureAccuracy.get(last),
          accuracyPerRound.get(last - 1));
    }
    boolean agree = hashes.values().stream().distinct().count() == 1 && !hashes.containsValue(null);
    System.out.println("Model hashes: " + hashes + (agree ? " (all members agree)" : " (MEMBERS DISAGREE)"));

    Double centralized = null;
    double centralizedSeconds = 0;
    if (!noCentralized) {
      long t0 = System.nanoTime();
      // The same local training as the members', augmentation included, over the pooled rows.
      TrainingConfig pooled = new TrainingConfig(rounds * localEpochs, batchSize, localOptimizer, 0, seed,
          TrainingConfig.Augmentation.parse(augment));
      try (LocalTrainer trainer = new LocalTrainer(spec, data.data().train().cols(), data.numClasses(), pooled)) {
        float[] initial = trainer.model().initialParameters(sharedSeed());
        TrainResult result = trainer.train(initial, data.data().train(), 1);
        centralized = trainer.evaluate(result.parameters(), data.data().test()).accuracy();
      }
      centralizedSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "Centralized (pooled data, %d epochs): accuracy %.4f in %.1f s%n",
          rounds * localEpochs, centralized, centralizedSeconds);
    }
    Double secondsToTarget = secondsToTarget(accuracyPerRound, secondsPerRound, targetAccuracy);
    Double afterStartup = secondsToTarget == null ? null : secondsToTarget - startupSeconds;
    Optional<NumpyFedAvgSimulation.Result> simulation = numpySimulation
        ? simulate(parts, data, spec, localOptimizer, batchSize, secondsToTarget, afterStartup) : Optional.empty();
    double finalAccuracy = accuracyPerRound.get(accuracyPerRound.size() - 1);
    System.out.printf(Locale.ROOT, "Federated: final accuracy %.4f after %d rounds (%.1f s)%s%n", finalAccuracy,
        rounds, federatedSeconds, centralized == null ? ""
            : String.format(Locale.ROOT, "; %.3f of centralized", finalAccuracy / centralized));

    if (report != null) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("dataset", data.name());
      r.put("nodes", nodes);
      r.put("partition", split.toString());
      r.put("model", spec.toString());
      r.put("local_optimizer", localOptimizer.toString());
      r.put("augmentation", augment);
      r.put("strategy", strategy.key());
      r.put("server_learning_rate", serverRate);
      r.put("local_epochs", localEpochs);
      r.put("batch_size", batchSize);
      r.put("secure_aggregation", secureOn);
      r.put("tls", transport == EmbeddedConsortium.Transport.MUTUAL_TLS);
      r.put("rounds", rounds);
      // consortium: learnt with the secure sum in a round before the training rounds; pooled: the simulation
      // shortcut (with DP); divide:255: a constant
      r.put("feature_scaling", data.raw() == null ? "divide:255" : consortiumStatistics ? "consortium" : "pooled");
      r.put("dp_level", privacy.level().key());
      if (privacy.enabled()) {
        r.put("dp_epsilon", spent.values().stream().mapToDouble(DpGuarantee::epsilon).max().orElse(0));
        r.put("dp_delta", privacy.delta());
        r.put("dp_noise_multiplier", privacy.noise());
        r.put("dp_clip", privacy.clip());
        r.put("dp_epsilon_budget", privacy.epsilonBudget());
        if (privacy.level() == DpSettings.Level.RECORD) {
          r.put("dp_sample_rate", privacy.sampleRate());
          r.put("dp_steps_per_round", privacy.stepsPerRound(localEpochs));
        }
        Map<String, Double> perMember = new TreeMap<>();
        spent.forEach((id, g) -> perMember.put(id, g.epsilon()));
        r.put("dp_epsilon_per_member", perMember);
      }
      r.put("accuracy_per_round", accuracyPerRound);
      r.put("train_loss_per_round", lossList);
      r.put("seconds_per_round", secondsPerRound);
      r.put("secure_accuracy_per_round", secureAccuracy);
      r.put("target_accuracy", targetAccuracy);
      r.put("seconds_to_target", secondsToTarget);
      r.put("startup_seconds", startupSeconds);
      r.put("seconds_to_target_after_startup", afterStartup);
      simulation.ifPresent(sim -> {
        Map<String, Object> numpy = new LinkedHashMap<>();
        numpy.put("accuracy_per_round", sim.accuracyPerRound());
        numpy.put("seconds_per_round", sim.secondsPerRound());
        numpy.put("seconds_to_target", sim.secondsToTarget());
        numpy.put("numpy", sim.numpy());
        r.put("numpy_simulation", numpy);
        r.put("time_to_target_vs_simulation", secondsToTarget == null || sim.secondsToTarget() == null ? null
            : secondsToTarget / sim.secondsToTarget());
        r.put("time_to_target_after_startup_vs_simulation", afterStartup == null || sim.secondsToTarget() == null
            ? null : afterStartup / sim.secondsToTarget());
      });
      r.put("final_accuracy", finalAccuracy);
      r.put("centralized_accuracy", centralized);
      r.put("centralized_epochs", rounds * localEpochs);
      r.put("centralized_seconds", centralizedSeconds);
      r.put("model_hashes", hashes);
      r.put("hashes_agree", agree);
      r.put("federated_seconds", federatedSeconds);
      r.put("shutdown_seconds", shutdownSeconds);
      r.put("wall_seconds", (System.nanoTime() - started) / 1e9);
      r.put("jdk", Runtime.version().toString());
      JsonReport.write(report, r);
    }
    return agree ? 0 : 3;
  }

  /** The --dp options as settings; the sample rate defaults to one batch of the smallest member's rows. */
  private DpSettings privacySettings(List<Dataset> parts, int batchSize) {
    DpSettings.Level level = DpSettings.Level.parse(dp);
    int smallest = parts.stream().mapToInt(Dataset::rows).min().orElse(1);
    double q = dpSampleRate != null ? dpSampleRate : Math.min(1.0, (double) batchSize / Math.max(1, smallest));
    DpSettings settings = new DpSettings(level, dpNoise, dpClip, dpDelta, dpEpsilonBudget, q, dpColluders);
    // The checks a member's configuration gets; each key dp.x is the option --dp-x.
    List<String> problems = new ArrayList<>();
    settings.problems().forEach((key, what) -> problems.add("--" + key.replace('.', '-') + " " + what));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return settings;
  }

  /** The numpy FedAvg simulation on the members' rows, with a line comparing its time to the target with ours. */
  private Optional<NumpyFedAvgSimulation.Result> simulate(List<Dataset> parts, DemoData data, ModelSpec spec,
      OptimizerSpec optimizer, int batchSize, Double secondsToTarget, Double afterStartup) throws Exception {
    Optional<String> why = NumpyFedAvgSimulation.unsupported(spec, optimizer);
    if (why.isPresent()) {
      System.out.println("No numpy simulation: " + why.get());
      return Optional.empty();
    }
    Optional<NumpyFedAvgSimulation.Result> sim = NumpyFedAvgSimulation.run(parts, data.data().test(), spec,
        (OptimizerSpec.Sgd) optimizer, batchSize, localEpochs, rounds, targetAccuracy, seed);
    if (sim.isEmpty()) {
      System.out.println("No numpy simulation: python3 with numpy is not available here");
      return sim;
    }
    Double simSeconds = sim.get().secondsToTarget();
    System.out.printf(Locale.ROOT, "numpy FedAvg simulation (one process, one BLAS thread, same MLP and rows):"
            + " final accuracy %.4f; %.2f reached after %s, fedmesh after %s%n",
        sim.get().accuracyPerRound().get(sim.get().accuracyPerRound().size() - 1), targetAccuracy,
        simSeconds == null ? "never" : String.format(Locale.ROOT, "%.1f s", simSeconds),
        secondsToTarget == null ? "never" : String.format(Locale.ROOT, "%.1f s (%.1f s once its members were up%s)",
            secondsToTarget, afterStartup, simSeconds == null ? ""
                : String.format(Locale.ROOT, ": %.2fx and %.2fx the simulation", secondsToTarget / simSeconds,
                    afterStartup / simSeconds)));
    return sim;
  }

  /**
   * Seconds from the consortium's start to node-1's commit of the first round whose model reached {@code target} on
   * the test set, or null if none did.
   */
  static Double secondsToTarget(List<Double> accuracy, List<Double> seconds, double target) {
    for (int i = 0; i < accuracy.size(); i++) {
      if (accuracy.get(i) >= target) {
        return seconds.get(i);
      }
    }
    return null;
  }

  private long sharedSeed() {
    return ConfigFactory.defaultReference().getLong("fedmesh.model.seed");
  }

  /** Picocli's names for strategies are their configuration keys. */
  static final class StrategyConverter implements CommandLine.ITypeConverter<Strategy> {
    @Override
    public Strategy convert(String value) {
      return Strategy.parse(value);
    }
  }

  /** A round node-1 committed, with the mean training loss its commit reported, and when it committed. */
  private record CommittedRound(ModelState model, double meanTrainingLoss, long atNanos) {}
}
