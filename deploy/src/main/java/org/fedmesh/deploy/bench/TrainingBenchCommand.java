package org.fedmesh.deploy.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fedmesh.deploy.JsonReport;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.node.model.NativeThreads;
import org.fedmesh.node.model.TrainingBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedmesh bench training}: the hand-written ND4J MLP against the same MLP in SameDiff (ND4J's autodiff),
 * same data, same run. DESIGN.md allows hand-written gradients only where they measure faster.
 */
@Command(name = "training", mixinStandardHelpOptions = true,
    description = "Local training speed: hand-written ND4J MLP against SameDiff, same data, same run.")
public final class TrainingBenchCommand implements Callable<Integer> {
  @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "Data set (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--samples", defaultValue = "60000", description = "Samples per timed run (default: ${DEFAULT-VALUE}).")
  long samples;

  @Option(names = "--repeats", defaultValue = "3", description = "Timed runs of each (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--report", description = "Write a JSON report to this file.")
  Path report;

  @Override
  public Integer call() throws Exception {
    NativeThreads.limit(1); // as members run: one native thread each
    DemoData data = DemoData.load(dataset, 1);
    TrainingBenchmark.Result r = TrainingBenchmark.run(data.data().train(), samples, repeats);
    System.out.printf(Locale.ROOT, "%s, batch %d, Adam, %d samples x %d: hand-written %.0f samples/s,"
            + " SameDiff %.0f samples/s (%.1fx)%n", r.model(), r.batchSize(), r.samples(), r.repeats(),
        r.handWrittenSamplesPerSecond(), r.sameDiffSamplesPerSecond(), r.speedup());
    if (report != null) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("dataset", data.name());
      json.put("model", r.model());
      json.put("batch_size", r.batchSize());
      json.put("samples", r.samples());
      json.put("repeats", r.repeats());
      json.put("native_threads", r.nativeThreads());
      json.put("hand_written_samples_per_second", r.handWrittenSamplesPerSecond());
      json.put("samediff_samples_per_second", r.sameDiffSamplesPerSecond());
      json.put("speedup", r.speedup());
      json.put("jdk", Runtime.version().toString());
      JsonReport.write(report, json);
    }
    return 0;
  }
}
