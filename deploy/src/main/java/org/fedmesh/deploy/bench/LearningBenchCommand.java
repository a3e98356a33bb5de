package org.fedmesh.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fedmesh.deploy.JsonReport;
import org.fedmesh.deploy.cli.DemoCommand;
import org.fedmesh.node.model.ModelSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedmesh bench learning}: accuracy per round of several strategies and models, over several seeds and
 * partitions, each against centralized training of the same model for the same number of epochs. Every run is the
 * demo itself ({@link DemoCommand}: real members over Artery, secure aggregation, its centralized baseline), so the
 * figures are those of the shipped code; this command only chooses the runs, gathers their reports and plots them.
 */
@Command(name = "learning", mixinStandardHelpOptions = true,
    description = "Accuracy per round of strategies and models over seeds and partitions, against centralized"
        + " training; JSON report and PNG plots.")
public final class LearningBenchCommand implements Callable<Integer> {
  /** The CNN's local optimizer unless --model-optimizer says otherwise: the best measured (BENCHMARKS.md). */
  static final String CNN_OPTIMIZER = "adam:0.001";

  @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "Data set (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--nodes", defaultValue = "5", description = "Members (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--rounds", defaultValue = "30", description = "Rounds per run (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--local-epochs", defaultValue = "1", description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
  int localEpochs;

  @Option(names = "--seeds", defaultValue = "1,2,3", split = ",", description = "Seeds (default: ${DEFAULT-VALUE}).")
  List<Long> seeds;

  @Option(names = "--partitions", defaultValue = "dirichlet:0.5,iid", split = ",",
      description = "Partitions (default: ${DEFAULT-VALUE}).")
  List<String> partitions;

  @Option(names = "--models", arity = "1..*", description = "Models, space-separated (default: mlp:128 cnn:32,64)."
      + " The first runs with every --strategies entry, the others with --best-strategy.")
  List<String> models;

  @Option(names = "--strategies", defaultValue = "fedavg,fedprox,fedadam,fedyogi", split = ",",
      description = "Strategies for the first model, each NAME or NAME:SERVER_RATE (default: ${DEFAULT-VALUE}).")
  List<String> strategies;

  // FedProx: the highest mean share of centralized accuracy on Dirichlet(0.5) of the four (BENCHMARKS.md, within the
  // seeds' spread), and the CNN's best run.
  @Option(names = "--best-strategy", defaultValue = "fedprox",
      description = "Strategy (NAME or NAME:SERVER_RATE) for the models after the first (default: ${DEFAULT-VALUE}).")
  String bestStrategy;

  @Option(names = "--model-optimizer", description = "MODEL=OPTIMIZER: a model's local optimizer (default: "
      + CNN_OPTIMIZER + " for a cnn, the data set's default otherwise).")
  Map<String, String> modelOptimizers = new HashMap<>();

  @Option(names = "--skip-centralized", description = "A model whose centralized baseline is not run (repeatable).")
  List<String> skipCentralized = new ArrayList<>();

  @Option(names = "--tls", defaultValue = "on", description = "Members talk mutual TLS on|off (default: ${DEFAULT-VALUE}).")
  String tls;

  @Option(names = "--report", description = "JSON report, rewritten after every run (so a cut-short run keeps what it"
      + " measured).")
  Path report;

  @Option(names = "--from", description = "Run nothing: merge these learning reports (repeatable) into --report"
      + " and --plot, e.g. a grid measured in parts.")
  List<Path> from = new ArrayList<>();

  @Option(names = "--plot", description = "Directory for the PNG plots (accuracy against rounds and wall time).")
  Path plotDir;

  /** Centralized accuracy and seconds of one model, local optimizer and seed. */
  private record Baseline(Double accuracy, Double seconds) {}

  private final Map<String, Baseline> centralized = new HashMap<>();

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    Map<LearningConfiguration, List<LearningRun>> results = from.isEmpty() ? run(started) : merge();
    if (!from.isEmpty() && report != null) {
      JsonReport.write(report, report(results, started));
    }
    printTable(results);
    if (plotDir != null) {
      Files.createDirectories(plotDir);
      for (String file : LearningPlots.write(results, plotDir)) {
        System.out.println("Plot written to " + plotDir.resolve(file));
      }
    }
    boolean agree = results.values().stream().flatMap(List::stream).allMatch(LearningRun::hashesAgree);
    return agree ? 0 : 3;
  }

  private Map<LearningConfiguration, List<LearningRun>> run(long started) throws Exception {
    List<LearningConfiguration> configurations = configurations();
    if (rounds < 1 || nodes < 3 || seeds.isEmpty()) {
      throw new IllegalArgumentException("need --rounds >= 1, --nodes >= 3 (secure aggregation) and a seed");
    }
    System.out.printf(Locale.ROOT, "bench learning: %d configurations x %d seeds on %s, %d members, %d rounds%n",
        configurations.size(), seeds.size(), dataset, nodes, rounds);
    Map<LearningConfiguration, List<LearningRun>> results = new LinkedHashMap<>();
    configurations.forEach(c -> results.put(c, new ArrayList<>()));
    // Seed after seed, so that a run cut short still holds whole seeds of every configuration.
    for (long seed : seeds) {
      for (LearningConfiguration c : configurations) {
        System.out.printf(Locale.ROOT, "%n=== %s, %s, seed %d ===%n", c.partition(), c.label(), seed);
        results.get(c).add(runOnce(c, seed));
        if (report != null) {
          JsonReport.write(report, report(results, started));
        }
      }
    }
    return results;
  }

  /** The configurations and runs of the --from reports, in their order; their settings must agree. */
  private Map<LearningConfiguration, List<LearningRun>> merge() throws java.io.IOException {
    Map<LearningConfiguration, List<LearningRun>> results = new LinkedHashMap<>();
    JsonNode first = null;
    for (Path file : from) {
      JsonNode r = new ObjectMapper().readTree(file.toFile());
      if (first == null) {
        first = r;
        dataset = r.get("dataset").asText();
        nodes = r.get("nodes").asInt();
        rounds = r.get("rounds").asInt();
        localEpochs = r.get("local_epochs").asInt();
        tls = r.get("tls").asText();
      }
      for (String key : List.of("dataset", "nodes", "rounds", "local_epochs")) {
        if (!r.get(key).equals(first.get(key))) {
          throw new IllegalArgumentException(file + " has " + key + " " + r.get(key) + ", the first report "
              + first.get(key) + ": their runs do not compare");
        }
      }
      for (JsonNode summary : r.get("configurations")) {
        List<LearningRun> runs = results.computeIfAbsent(LearningConfiguration.fromJson(summary),
            c -> new ArrayList<>());
        summary.get("runs").forEach(run -> runs.add(LearningRun.fromJson(run)));
      }
    }
    seeds = results.values().stream().flatMap(List::stream).map(LearningRun::seed).distinct().sorted().toList();
    partitions = results.keySet().stream().map(LearningConfiguration::partition).distinct().toList();
    return results;
  }

  /** Every partition: the first model with each strategy, then each other model with the best strategy. */
  List<LearningConfiguration> configurations() {
    List<String> modelList = models == null || models.isEmpty() ? List.of("mlp:128", "cnn:32,64") : models;
    List<LearningConfiguration> all = new ArrayList<>();
    for (String partition : partitions) {
      for (int m = 0; m < modelList.size(); m++) {
        ModelSpec model = ModelSpec.parse(modelList.get(m));
        List<String> choices = m == 0 ? strategies : List.of(bestStrategy);
        for (String choice : choices) {
          all.add(LearningConfiguration.of(partition.trim(), model,
              LearningConfiguration.StrategyChoice.parse(choice), optimizerFor(model)));
        }
      }
    }
    return all;
  }

  private String optimizerFor(ModelSpec model) {
    String given = modelOptimizers.get(model.toString());
    return given != null ? given : model.kind() == ModelSpec.Kind.CNN ? CNN_OPTIMIZER : null;
  }

  /**
   * One demo run. The centralized baseline depends on the model, local optimizer and seed, not on the partition or
   * strategy: the first run of each such triple runs it, the others reuse its figure.
   */
  private LearningRun runOnce(LearningConfiguration c, long seed) throws Exception {
    String baselineKey = c.model() + "|" + c.localOptimizer() + "|" + seed;
    boolean wantBaseline = !skipCentralized.contains(c.model().toString());
    boolean runBaseline = wantBaseline && !centralized.containsKey(baselineKey);
    Path demoReport = Files.createTempFile("fedmesh-bench-learning", ".json");
    try {
      List<String> common = new ArrayList<>(List.of("--dataset", dataset, "--nodes", Integer.toString(nodes),
          "--rounds", Integer.toString(rounds), "--local-epochs", Integer.toString(localEpochs), "--secure", "on",
          "--tls", tls, "--report", demoReport.toString()));
      if (!runBaseline) {
        common.add("--no-centralized");
      }
      DemoCommand demo = CommandLine.populateCommand(new DemoCommand(),
          c.demoArguments(seed, common).toArray(String[]::new));
      int exit = demo.call();
      if (exit != 0 && exit != 3) {
        throw new IllegalStateException("the demo of " + c.label() + ", seed " + seed + " ended with " + exit);
      }
      JsonNode r = new ObjectMapper().readTree(demoReport.toFile());
      if (runBaseline) {
        centralized.put(baselineKey, new Baseline(r.get("centralized_accuracy").asDouble(),
            r.get("centralized_seconds").asDouble()));
      }
      Baseline baseline = centralized.getOrDefault(baselineKey, new Baseline(null, null));
      return LearningRun.fromDemoReport(seed, r, baseline.accuracy(), baseline.seconds());
    } finally {
      Files.deleteIfExists(demoReport);
    }
  }

  private Map<String, Object> report(Map<LearningConfiguration, List<LearningRun>> results, long started) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("dataset", dataset);
    json.put("nodes", nodes);
    json.put("rounds", rounds);
    json.put("local_epochs", localEpochs);
    json.put("centralized_epochs", rounds * localEpochs);
    json.put("seeds", seeds);
    json.put("partitions", partitions);
    json.put("secure_aggregation", true);
    json.put("tls", tls);
    List<Map<String, Object>> configs = new ArrayList<>();
    results.forEach((c, runs) -> configs.add(summary(c, runs)));
    json.put("configurations", configs);
    if (!from.isEmpty()) {
      json.put("merged_from", from.stream().map(Path::toString).toList());
    }
    json.put("wall_seconds", (System.nanoTime() - started) / 1e9);
    json.put("jdk", Runtime.version().toString());
    return json;
  }

  static Map<String, Object> summary(LearningConfiguration c, List<LearningRun> runs) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("partition", c.partition());
    json.put("model", c.model().toString());
    json.put("strategy", c.strategy().key());
    json.put("server_learning_rate", c.serverLearningRate());
    json.put("local_optimizer", c.localOptimizer());
    json.put("label", c.label());
    json.put("seeds_run", runs.size());
    json.put("final_accuracy", SeedSpread.of(runs.stream().map(LearningRun::finalAccuracy).toList()).toJson());
    json.put("centralized_accuracy",
        SeedSpread.of(runs.stream().map(LearningRun::centralizedAccuracy).toList()).toJson());
    json.put("ratio_to_centralized",
        SeedSpread.of(runs.stream().map(LearningRun::ratioToCentralized).toList()).toJson());
    json.put("wall_seconds_per_round_after_the_first", SeedSpread.of(runs.stream()
        .flatMap(r -> r.steadyRoundSeconds().stream()).toList()).toJson("rounds"));
    json.put("hashes_agree", runs.stream().allMatch(LearningRun::hashesAgree));
    json.put("mean_accuracy_per_round", LearningPlots.meanPerRound(runs, LearningRun::accuracyPerRound));
    json.put("mean_seconds_at_round", LearningPlots.meanPerRound(runs, LearningRun::secondsAtRound));
    json.put("runs", runs.stream().map(LearningRun::toJson).toList());
    return json;
  }

  private static void printTable(Map<LearningConfiguration, List<LearningRun>> results) {
    System.out.printf(Locale.ROOT, "%n%-14s  %-44s  %-17s  %-8s  %-17s  %s%n", "partition", "configuration",
        "final (mean ± sd)", "central.", "ratio (mean ± sd)", "s/round");
    results.forEach((c, runs) -> {
      SeedSpread fin = SeedSpread.of(runs.stream().map(LearningRun::finalAccuracy).toList());
      SeedSpread central = SeedSpread.of(runs.stream().map(LearningRun::centralizedAccuracy).toList());
      SeedSpread ratio = SeedSpread.of(runs.stream().map(LearningRun::ratioToCentralized).toList());
      SeedSpread perRound = SeedSpread.of(runs.stream().flatMap(r -> r.steadyRoundSeconds().stream()).toList());
      System.out.printf(Locale.ROOT, "%-14s  %-44s  %.4f ± %.4f   %-8s  %-17s  %.2f%n", c.partition(), c.label(),
          fin.mean(), fin.std(), central.n() == 0 ? "-" : String.format(Locale.ROOT, "%.4f", central.mean()),
          ratio.n() == 0 ? "-" : String.format(Locale.ROOT, "%.4f ± %.4f", ratio.mean(), ratio.std()),
          perRound.mean());
    });
  }
}
