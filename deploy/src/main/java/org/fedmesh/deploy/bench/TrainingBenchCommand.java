package org.fedmesh.deploy.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.fedmesh.deploy.JsonReport;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.node.model.NativeThreads;
import org.fedmesh.node.model.TrainingBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedmesh bench training}: the hand-written ND4J MLP against the same MLP in SameDiff (ND4J's autodiff) and
 * in plain numpy, same data, same run, passes alternating, repeated until they settle. DESIGN.md allows
 * hand-written gradients only where they measure faster; numpy on one thread is the yardstick for one core.
 */
@Command(name = "training", mixinStandardHelpOptions = true,
    description = "Local training speed: hand-written ND4J MLP against SameDiff and numpy, same data, same run.")
public final class TrainingBenchCommand implements Callable<Integer> {
  @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "Data set (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--samples", defaultValue = "60000", description = "Samples per timed pass (default: ${DEFAULT-VALUE}).")
  long samples;

  @Option(names = "--repeats", defaultValue = "3",
      description = "Fewest timed passes of each (default: ${DEFAULT-VALUE}); more until the last three of each lie"
          + " within 5% of their median, at most --max-repeats.")
  int repeats;

  @Option(names = "--max-repeats", defaultValue = "8", description = "Most timed passes of each (default: ${DEFAULT-VALUE}).")
  int maxRepeats;

  @Option(names = "--numpy", defaultValue = "true", negatable = true,
      description = "Run the numpy reference when python3 with numpy is present (default: ${DEFAULT-VALUE}).")
  boolean numpy;

  @Option(names = "--report", description = "Write a JSON report to this file.")
  Path report;

  @Override
  public Integer call() throws Exception {
    if (repeats < 1 || maxRepeats < repeats) {
      throw new IllegalArgumentException("need 1 <= --repeats <= --max-repeats");
    }
    NativeThreads.limit(1); // as members run: one native thread each
    DemoData data = DemoData.load(dataset, 1);
    Optional<String> numpyVersion = numpy ? NumpyReference.numpyVersion() : Optional.empty();
    String numpyNote = !numpy ? "skipped: --no-numpy"
        : numpyVersion.map(v -> "numpy " + v + ", one BLAS thread")
            .orElse("skipped: python3 with numpy is not installed (apt-get install python3-numpy)");
    System.out.println("numpy reference: " + numpyNote);

    PassFigures hand = new PassFigures();
    PassFigures sameDiff = new PassFigures();
    PassFigures numpyFigures = new PassFigures();
    TrainingBenchmark bench = TrainingBenchmark.prepare(data.data().train(), samples);
    try (bench; NumpyReference reference = numpyVersion.isPresent() ? NumpyReference.prepare(bench.rows(),
        bench.epochs(), TrainingBenchmark.HIDDEN, TrainingBenchmark.BATCH_SIZE, TrainingBenchmark.LEARNING_RATE)
        : null) {
      for (int pass = 1; pass <= maxRepeats; pass++) {
        hand.add(bench.handWrittenPass());
        sameDiff.add(bench.sameDiffPass());
        if (reference != null) {
          numpyFigures.add(reference.pass());
        }
        System.out.printf(Locale.ROOT, "pass %d: hand-written %.0f, SameDiff %.0f%s samples/s%n", pass,
            last(hand), last(sameDiff), reference == null ? "" : String.format(Locale.ROOT, ", numpy %.0f",
                last(numpyFigures)));
        if (pass >= repeats && hand.settled() && sameDiff.settled()
            && (reference == null || numpyFigures.settled())) {
          break;
        }
      }
    }
    boolean settled = hand.settled() && sameDiff.settled() && (numpyFigures.isEmpty() || numpyFigures.settled());
    System.out.printf(Locale.ROOT, "%s, batch %d, Adam(%s), %d samples per pass, median of %d passes%s:"
            + " hand-written %.0f samples/s (spread %.0f%%), SameDiff %.0f (%.1fx slower)%s%n", bench.model(),
        TrainingBenchmark.BATCH_SIZE, TrainingBenchmark.LEARNING_RATE, bench.samplesPerPass(), hand.passes().size(),
        settled ? "" : " (NOT settled: the machine is busy)", hand.median(), 100 * hand.relativeSpread(),
        sameDiff.median(), hand.median() / sameDiff.median(), numpyFigures.isEmpty() ? ", numpy " + numpyNote
            : String.format(Locale.ROOT, ", numpy %.0f (hand-written at %.2fx numpy)", numpyFigures.median(),
                hand.median() / numpyFigures.median()));
    if (report != null) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("dataset", data.name());
      json.put("model", bench.model());
      json.put("batch_size", TrainingBenchmark.BATCH_SIZE);
      json.put("optimizer", "adam:" + TrainingBenchmark.LEARNING_RATE);
      json.put("samples_per_pass", bench.samplesPerPass());
      json.put("passes", hand.passes().size());
      json.put("settled", settled);
      json.put("native_threads", NativeThreads.current());
      json.put("hand_written_samples_per_second", hand.median());
      json.put("hand_written_passes", hand.passes());
      json.put("samediff_samples_per_second", sameDiff.median());
      json.put("samediff_passes", sameDiff.passes());
      json.put("speedup", hand.median() / sameDiff.median());
      json.put("numpy_samples_per_second", numpyFigures.isEmpty() ? null : numpyFigures.median());
      json.put("numpy_passes", numpyFigures.passes());
      json.put("numpy_note", numpyNote);
      json.put("hand_written_over_numpy", numpyFigures.isEmpty() ? null : hand.median() / numpyFigures.median());
      json.put("jdk", Runtime.version().toString());
      JsonReport.write(report, json);
    }
    return 0;
  }

  private static double last(PassFigures figures) {
    return figures.passes().get(figures.passes().size() - 1);
  }
}
