package org.fedmesh.deploy.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.fedmesh.node.round.AggregationPipeline;

/**
 * One point of the benchmark (N members, D parameters): the chosen kinds of aggregation run in turn on the same
 * cluster, warm-up rounds first, so that every kind sees the same machine noise. Checks that every kind gives every
 * member the same model, and the true weighted mean.
 */
final class AggregationPoint {
  /** What one aggregation runs. */
  enum Kind {
    PLAIN_RING("plain"), SECURE_RING("secure"), SECURE_COLD_RING("secure_cold"), STAR("star");

    /** Its prefix in the JSON report. */
    final String key;

    Kind(String key) {
      this.key = key;
    }
  }

  private final Map<Kind, List<Double>> seconds = new EnumMap<>(Kind.class);
  private final Map<Kind, List<Double>> exchangeSeconds = new EnumMap<>(Kind.class);
  /** CPU seconds this process spent per aggregation: steadier than wall time on a machine shared with others. */
  private final Map<Kind, List<Double>> cpuSeconds = new EnumMap<>(Kind.class);
  private final Map<Kind, AggregationBenchmark.Outcome> last = new EnumMap<>(Kind.class);
  private final List<Double> preparation = new ArrayList<>();
  private boolean exact = true;
  private long peakHeapBytes;
  private long peakHeapAfterGcBytes;

  private AggregationPoint() {}

  /**
   * Runs {@code kinds} in turn, {@code warmup} untimed rounds then {@code repetitions} timed ones; {@code progress}
   * hears a line per timed round.
   */
  static AggregationPoint measure(AggregationBenchmark bench, List<Kind> kinds, int warmup, int repetitions,
                                  int fractionalBits, Consumer<String> progress) throws Exception {
    AggregationPoint point = new AggregationPoint();
    double[] expected = bench.expectedMean();
    double tolerance = bench.tolerance(fractionalBits);
    try (HeapPeak heap = new HeapPeak()) {
      for (int rep = 0; rep < warmup + repetitions; rep++) {
        Map<Kind, AggregationBenchmark.Outcome> round = new EnumMap<>(Kind.class);
        Map<Kind, Double> cpu = new EnumMap<>(Kind.class);
        for (Kind kind : kinds) {
          long before = processCpuNanos();
          round.put(kind, run(bench, kind));
          cpu.put(kind, (processCpuNanos() - before) / 1e9);
        }
        point.exact &= agree(round, expected, tolerance);
        if (rep >= warmup) {
          StringBuilder line = new StringBuilder("  run " + (rep - warmup + 1) + ":");
          round.forEach((kind, outcome) -> {
            point.seconds.computeIfAbsent(kind, k -> new ArrayList<>()).add(outcome.seconds());
            point.exchangeSeconds.computeIfAbsent(kind, k -> new ArrayList<>()).add(outcome.exchangeSeconds());
            point.cpuSeconds.computeIfAbsent(kind, k -> new ArrayList<>()).add(cpu.get(kind));
            point.last.put(kind, outcome);
            line.append(String.format(Locale.ROOT, " %s %.3f s (exchange %.3f s)", kind.key, outcome.seconds(),
                outcome.exchangeSeconds()));
          });
          if (kinds.contains(Kind.SECURE_RING)) {
            point.preparation.add(bench.lastPreparation());
            line.append(String.format(Locale.ROOT, " (secure's keys and masks made before: %.3f s)",
                bench.lastPreparation()));
          }
          progress.accept(line.toString());
        }
      }
      point.peakHeapBytes = heap.bytes();
      point.peakHeapAfterGcBytes = heap.afterGcBytes();
    }
    return point;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static AggregationBenchmark.Outcome run(AggregationBenchmark bench, Kind kind) throws Exception {
    return switch (kind) {
      case PLAIN_RING -> bench.plain();
      case SECURE_RING -> bench.secure();
      case SECURE_COLD_RING -> bench.secureCold();
      case STAR -> bench.star();
    };
  }

  /**
   * Every member computed the same model in every kind (its hash covers every decoded value, so equal hashes mean
   * the same integer sum), and it decodes to the true weighted mean.
   */
  private static boolean agree(Map<Kind, AggregationBenchmark.Outcome> round, double[] expected, double tolerance) {
    AggregationBenchmark.Outcome first = round.values().iterator().next();
    String hash = first.applied().get(0).next().hash();
    for (AggregationBenchmark.Outcome o : round.values()) {
      for (AggregationPipeline.Applied a : o.applied()) {
        if (!a.next().hash().equals(hash)) {
          return false;
        }
      }
    }
    double[] decoded = first.applied().get(0).sum().meanDelta();
    for (int j = 0; j < expected.length; j++) {
      if (Math.abs(decoded[j] - expected[j]) > tolerance) {
        return false;
      }
    }
    return true;
  }

  List<Double> seconds(Kind kind) {
    return seconds.get(kind);
  }

  double median(Kind kind) {
    return Stats.median(seconds.get(kind));
  }

  AggregationBenchmark.Outcome last(Kind kind) {
    return last.get(kind);
  }

  List<Double> preparation() {
    return preparation;
  }

  boolean exact() {
    return exact;
  }

  long peakHeapBytes() {
    return peakHeapBytes;
  }

  /** The most heap still in use right after a collection ({@link HeapPeak#afterGcBytes()}). */
  long peakHeapAfterGcBytes() {
    return peakHeapAfterGcBytes;
  }

  /** Median seconds of the exchange alone (the all-reduce, or the star's upload and download). */
  double exchangeMedian(Kind kind) {
    return Stats.median(exchangeSeconds.get(kind));
  }

  /**
   * Aggregate payload bytes all members sent in one exchange of {@code kind}, over the exchange's median seconds:
   * what the loopback and the cores carried per second.
   */
  double bytesPerSecond(Kind kind) {
    return last.get(kind).totalSent() / exchangeMedian(kind);
  }

  /** The same bytes over the whole aggregation's median seconds (encoding, decoding and applying included). */
  double roundBytesPerSecond(Kind kind) {
    return last.get(kind).totalSent() / median(kind);
  }

  /** Per kind: seconds (all, median, min, max), busiest member's bytes each way, aggregate throughput. */
  Map<String, Object> figures() {
    Map<String, Object> r = new LinkedHashMap<>();
    seconds.forEach((kind, list) -> {
      AggregationBenchmark.Outcome o = last.get(kind);
      r.put(kind.key + "_seconds", list);
      r.put(kind.key + "_seconds_median", Stats.median(list));
      r.put(kind.key + "_seconds_min", list.stream().mapToDouble(Double::doubleValue).min().orElse(0));
      r.put(kind.key + "_seconds_max", list.stream().mapToDouble(Double::doubleValue).max().orElse(0));
      r.put(kind.key + "_cpu_seconds_median", Stats.median(cpuSeconds.get(kind)));
      r.put(kind.key + "_exchange_seconds", exchangeSeconds.get(kind));
      r.put(kind.key + "_exchange_seconds_median", exchangeMedian(kind));
      r.put(kind.key + "_bytes_sent_busiest_member", o.busiestSent());
      r.put(kind.key + "_bytes_received_busiest_member", o.busiestReceived());
      r.put(kind.key + "_bytes_sent_all_members", o.totalSent());
      r.put(kind.key + "_bytes_per_second", bytesPerSecond(kind));
      r.put(kind.key + "_round_bytes_per_second", roundBytesPerSecond(kind));
    });
    return r;
  }
}
