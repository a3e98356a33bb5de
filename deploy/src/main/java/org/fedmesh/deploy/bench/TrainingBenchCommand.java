package org.fedmesh.deploy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.fedmesh.deploy.JsonReport;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.model.CnnTrainingBenchmark;
import org.fedmesh.node.model.CorePeak;
import org.fedmesh.node.model.ModelSpec;
import org.fedmesh.node.model.NativeThreads;
import org.fedmesh.node.model.TrainingBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedmesh bench training}: local training speed, one native thread as members train. The MLP with fedmesh's
 * hand-written passes against SameDiff (ND4J's autodiff) and plain numpy; the CNN with fedmesh's hand-written
 * passes against SameDiff on ND4J's convolution ops and numpy with im2col. Same rows for all, passes alternating,
 * repeated until they settle; figures also as a fraction of one core's measured matrix-product speed.
 */
@Command(name = "training", mixinStandardHelpOptions = true,
    description = "Local training speed: hand-written ND4J against SameDiff and numpy, MLP and CNN, same run.")
public final class TrainingBenchCommand implements Callable<Integer> {
  @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "Data set (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--samples", defaultValue = "60000",
      description = "MLP samples per timed pass (default: ${DEFAULT-VALUE}).")
  long samples;

  @Option(names = "--cnn", defaultValue = "cnn:16,32",
      description = "The CNN to measure, or none (default: ${DEFAULT-VALUE}; needs square images).")
  String cnn;

  @Option(names = "--cnn-samples", defaultValue = "6400",
      description = "CNN samples per timed pass (default: ${DEFAULT-VALUE}).")
  long cnnSamples;

  @Option(names = "--repeats", defaultValue = "3",
      description = "Fewest timed passes of each (default: ${DEFAULT-VALUE}); more until the last three of each lie"
          + " within 5% of their median, at most --max-repeats.")
  int repeats;

  @Option(names = "--max-repeats", defaultValue = "8", description = "Most timed passes of each (default: ${DEFAULT-VALUE}).")
  int maxRepeats;

  @Option(names = "--numpy", defaultValue = "true", negatable = true,
      description = "Run the numpy references when python3 with numpy is present (default: ${DEFAULT-VALUE}).")
  boolean numpy;

  @Option(names = "--report", description = "Write a JSON report to this file.")
  Path report;

  /** One implementation's passes. */
  private record Implementation(String name, PassFigures figures, Pass pass) {}

  @FunctionalInterface
  private interface Pass {
    double samplesPerSecond() throws Exception;
  }

  @Override
  public Integer call() throws Exception {
    if (repeats < 1 || maxRepeats < repeats) {
      throw new IllegalArgumentException("need 1 <= --repeats <= --max-repeats");
    }
    NativeThreads.limit(1); // as members run: one native thread each
    DemoData data = DemoData.load(dataset, 1);
    Dataset train = data.data().train();
    Optional<String> numpyVersion = numpy ? NumpyReference.numpyVersion() : Optional.empty();
    String numpyNote = !numpy ? "skipped: --no-numpy"
        : numpyVersion.map(v -> "numpy " + v + ", one BLAS thread")
            .orElse("skipped: python3 with numpy is not installed (apt-get install python3-numpy)");
    System.out.println("numpy references: " + numpyNote);
    double peak = CorePeak.sgemmGflops();
    System.out.printf(Locale.ROOT, "one core's float matrix product (1024^3 through ND4J): %.1f GFLOP/s%n", peak);

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("dataset", data.name());
    json.put("native_threads", NativeThreads.current());
    json.put("core_sgemm_gflops", peak);
    json.put("numpy_note", numpyNote);

    try (TrainingBenchmark mlp = TrainingBenchmark.prepare(train, samples);
         NumpyReference reference = numpyVersion.isEmpty() ? null : NumpyReference.prepare(NumpyReference.MLP,
             mlp.rows(), List.of("--hidden", Integer.toString(TrainingBenchmark.HIDDEN), "--batch",
                 Integer.toString(TrainingBenchmark.BATCH_SIZE), "--epochs", Integer.toString(mlp.epochs()),
                 "--lr", Double.toString(TrainingBenchmark.LEARNING_RATE)))) {
      List<Implementation> runs = new ArrayList<>(List.of(
          new Implementation("hand_written", new PassFigures(), mlp::handWrittenPass),
          new Implementation("samediff", new PassFigures(), mlp::sameDiffPass)));
      if (reference != null) {
        runs.add(new Implementation("numpy", new PassFigures(), reference::pass));
      }
      System.out.printf(Locale.ROOT, "MLP %s, batch %d, Adam(%s), %d samples per pass%n", mlp.model(),
          TrainingBenchmark.BATCH_SIZE, TrainingBenchmark.LEARNING_RATE, mlp.samplesPerPass());
      boolean settled = measure(runs);
      report(json, "", runs, settled, mlp.trainingMultiplyAdds(), peak);
      json.put("model", mlp.model());
      json.put("batch_size", TrainingBenchmark.BATCH_SIZE);
      json.put("optimizer", "adam:" + TrainingBenchmark.LEARNING_RATE);
      json.put("samples_per_pass", mlp.samplesPerPass());
      json.put("speedup", median(runs, "hand_written") / median(runs, "samediff"));
      json.put("hand_written_over_numpy", reference == null ? null
          : median(runs, "hand_written") / median(runs, "numpy"));
    }

    if (!cnn.equals("none")) {
      ModelSpec spec = ModelSpec.parse(cnn);
      try (CnnTrainingBenchmark conv = CnnTrainingBenchmark.prepare(train, cnnSamples, spec);
           NumpyReference reference = numpyVersion.isEmpty() ? null : NumpyReference.prepare(NumpyReference.CNN,
               conv.rows(), List.of("--channels", cnn.substring("cnn:".length()), "--batch",
                   Integer.toString(CnnTrainingBenchmark.BATCH_SIZE), "--epochs", Integer.toString(conv.epochs()),
                   "--lr", "0.05", "--momentum", "0.9"))) {
        List<Implementation> runs = new ArrayList<>(List.of(
            new Implementation("cnn_hand_written", new PassFigures(), conv::handWrittenPass),
            new Implementation("cnn_samediff", new PassFigures(), conv::libraryPass)));
        if (reference != null) {
          runs.add(new Implementation("cnn_numpy", new PassFigures(), reference::pass));
        }
        System.out.printf(Locale.ROOT, "CNN %s, batch %d, %s, %d samples per pass%n", conv.model(),
            CnnTrainingBenchmark.BATCH_SIZE, CnnTrainingBenchmark.OPTIMIZER, conv.samplesPerPass());
        boolean settled = measure(runs);
        report(json, "cnn_", runs, settled, conv.trainingMultiplyAdds(), peak);
        json.put("cnn_model", conv.model());
        json.put("cnn_samples_per_pass", conv.samplesPerPass());
        json.put("cnn_hand_written_over_numpy", reference == null ? null
            : median(runs, "cnn_hand_written") / median(runs, "cnn_numpy"));
      }
    }
    json.put("jdk", Runtime.version().toString());
    if (report != null) {
      JsonReport.write(report, json);
    }
    return 0;
  }

  /** Alternates one pass of each until all have settled (at least --repeats, at most --max-repeats each). */
  private boolean measure(List<Implementation> runs) throws Exception {
    for (int pass = 1; pass <= maxRepeats; pass++) {
      StringBuilder line = new StringBuilder("  pass " + pass + ":");
      for (Implementation run : runs) {
        double figure = run.pass().samplesPerSecond();
        run.figures().add(figure);
        line.append(String.format(Locale.ROOT, " %s %.0f", run.name(), figure));
      }
      System.out.println(line.append(" samples/s"));
      if (pass >= repeats && runs.stream().allMatch(r -> r.figures().settled())) {
        return true;
      }
    }
    return false;
  }

  private static void report(Map<String, Object> json, String prefix, List<Implementation> runs, boolean settled,
                             long multiplyAdds, double peakGflops) {
    json.put(prefix + "passes", runs.get(0).figures().passes().size());
    json.put(prefix + "settled", settled);
    json.put(prefix + "multiply_adds_per_sample", multiplyAdds);
    for (Implementation run : runs) {
      PassFigures f = run.figures();
      double gflops = f.median() * 2.0 * multiplyAdds / 1e9;
      json.put(run.name() + "_samples_per_second", f.median());
      json.put(run.name() + "_passes", f.passes());
      json.put(run.name() + "_gflops", gflops);
      json.put(run.name() + "_fraction_of_core", gflops / peakGflops);
      System.out.printf(Locale.ROOT, "  %-16s %8.0f samples/s (median of %d%s, spread %.0f%%), %.1f GFLOP/s,"
              + " %.2f of one core%n", run.name(), f.median(), f.passes().size(), settled ? "" : ", NOT settled",
          100 * f.relativeSpread(), gflops, gflops / peakGflops);
    }
    if (runs.stream().noneMatch(r -> r.name().endsWith("numpy"))) {
      json.put(prefix + "numpy_samples_per_second", null);
    }
  }

  private static double median(List<Implementation> runs, String name) {
    return runs.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow().figures().median();
  }
}
