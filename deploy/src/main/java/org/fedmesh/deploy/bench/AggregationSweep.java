package org.fedmesh.deploy.bench;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fedmesh.deploy.JsonReport;
import org.fedmesh.mpc.WeightedUpdateCodec;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.round.AggregationPipeline;
import org.fedmesh.node.round.ServerOptimizer;

/**
 * {@code bench aggregation --sweep}: members N = 3..16 by parameters D = 10^4..10^7, each point timing the plain
 * ring, the secure ring (warm and cold) and the star in turn on one cluster per N, into one JSON report and PNG plots
 * beside it. Points too large for one JVM on this machine are skipped and listed with the reason.
 */
final class AggregationSweep {
  static final List<Integer> NODES = List.of(3, 5, 8, 12, 16);
  static final List<Integer> PARAMS = List.of(10_000, 100_000, 1_000_000, 10_000_000);
  /**
   * Largest N x D run: every member holds several vector-sized arrays at once (its encoding, its masks, the decoded
   * sum in doubles, the model), about 40 bytes per parameter, and all members share one heap and two cores.
   */
  static final long MAX_NODE_PARAMS = 50_000_000L;

  private final boolean tls;
  private final int warmup;
  private final int repetitions;
  private final long rawLoopbackBytes;
  private final Path report;

  AggregationSweep(boolean tls, int warmup, int repetitions, long rawLoopbackBytes, Path report) {
    this.rawLoopbackBytes = rawLoopbackBytes;
    this.tls = tls;
    this.warmup = warmup;
    this.repetitions = repetitions;
    this.report = report;
  }

  int run() throws Exception {
    Config shared = AggregationBenchCommand.memberOverrides();
    WeightedUpdateCodec codec = FedmeshNode.codecFor(AggregationBenchCommand.settings(shared));
    List<Double> raw = RawLoopback.bytesPerSecond(rawLoopbackBytes, 2, 5);
    double rawMedian = Stats.median(raw);
    System.out.printf(Locale.ROOT, "Sweep N = %s, D = %s (JDK %s, %d cores, max heap %,d MB); raw loopback %.0f"
        + " MB/s%n", NODES, PARAMS, Runtime.version(), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, rawMedian / 1e6);
    List<Map<String, Object>> points = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    boolean exact = true;
    long started = System.nanoTime();
    for (int nodes : NODES) {
      List<MemberIdentity> identities = AggregationBenchCommand.identities(nodes);
      try (BenchCluster cluster = new BenchCluster(shared, AggregationBenchCommand.bootstrapCa(), identities, tls)) {
        for (int params : PARAMS) {
          if ((long) nodes * params > MAX_NODE_PARAMS) {
            skipped.add("N=" + nodes + " D=" + params + ": N x D above " + MAX_NODE_PARAMS
                + " (heap and time on this 2-core machine)");
            continue;
          }
          System.out.printf(Locale.ROOT, "N = %d, D = %,d%n", nodes, params);
          AggregationPipeline pipeline = new AggregationPipeline(codec, ServerOptimizer.fedAvg(1.0), params);
          AggregationBenchmark bench = new AggregationBenchmark(cluster, identities, pipeline, 1);
          AggregationPoint point = AggregationPoint.measure(bench, List.of(AggregationPoint.Kind.PLAIN_RING,
                  AggregationPoint.Kind.SECURE_RING, AggregationPoint.Kind.SECURE_COLD_RING,
                  AggregationPoint.Kind.STAR), warmup, repetitions, codec.fractionalBits(), System.out::println);
          exact &= point.exact();
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("nodes", nodes);
          p.put("params", params);
          p.put("vector_bytes", 8L * codec.vectorLength(params));
          p.put("peak_heap_bytes", point.peakHeapBytes());
          p.put("peak_heap_after_gc_bytes", point.peakHeapAfterGcBytes());
          p.put("exact", point.exact());
          p.put("secure_over_plain", point.median(AggregationPoint.Kind.SECURE_RING)
              / point.median(AggregationPoint.Kind.PLAIN_RING));
          p.put("secure_cold_over_plain", point.median(AggregationPoint.Kind.SECURE_COLD_RING)
              / point.median(AggregationPoint.Kind.PLAIN_RING));
          p.put("star_over_plain", point.median(AggregationPoint.Kind.STAR)
              / point.median(AggregationPoint.Kind.PLAIN_RING));
          p.put("ring_over_raw_loopback", point.bytesPerSecond(AggregationPoint.Kind.PLAIN_RING) / rawMedian);
          p.putAll(point.figures());
          points.add(p);
        }
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("nodes", NODES);
    r.put("params", PARAMS);
    r.put("warmup", warmup);
    r.put("repetitions", repetitions);
    r.put("tls", tls);
    r.put("raw_loopback_bytes_per_second", rawMedian);
    r.put("raw_loopback_bytes_per_second_runs", raw);
    r.put("skipped", skipped);
    r.put("means", "members in one JVM (real Pekko cluster members over Artery on 127.0.0.1); per point the plain"
        + " ring, secure ring (keys and masks made before the timer), cold secure ring and star (member 0 receives"
        + " every vector and sends back the sum) run in turn; seconds from the updates handed over to every member"
        + " holding the decoded, applied sum; bytes are payload (8 per value)");
    r.put("exact", exact);
    r.put("sweep_seconds", (System.nanoTime() - started) / 1e9);
    r.put("jdk", Runtime.version().toString());
    r.put("cores", Runtime.getRuntime().availableProcessors());
    r.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    r.put("points", points);
    r.put("plots", SweepPlots.write(points, report));
    JsonReport.write(report, r);
    return exact ? 0 : 1;
  }
}
