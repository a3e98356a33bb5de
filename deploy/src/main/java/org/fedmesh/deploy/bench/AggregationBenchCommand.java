package org.fedmesh.deploy.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fedmesh.deploy.JsonReport;
import org.fedmesh.deploy.cli.OnOff;
import org.fedmesh.gossip.PieceMac;
import org.fedmesh.mpc.WeightedUpdateCodec;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.NodeSettings;
import org.fedmesh.node.round.AggregationPipeline;
import org.fedmesh.node.round.AttemptSession;
import org.fedmesh.node.round.ServerOptimizer;
import org.fedmesh.protocols.VectorSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedmesh bench aggregation}: plain against secure all-reduce of the same updates on the same cluster, in
 * one run, alternating so that both see the same machine noise; or the star baseline against the plain ring; with
 * the raw loopback TCP throughput measured first, as the bound; or the whole sweep ({@link AggregationSweep}).
 */
@Command(name = "aggregation", mixinStandardHelpOptions = true,
    description = "Time plain and secure ring all-reduce (or the star baseline) of D parameters over N members in"
        + " this JVM, in one run, against raw loopback TCP.")
public final class AggregationBenchCommand implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "5", description = "Members (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--params", defaultValue = "1000000", description = "Parameters (default: ${DEFAULT-VALUE}).")
  int params;

  @Option(names = "--repetitions", defaultValue = "9", description = "Timed runs of each kind (default: ${DEFAULT-VALUE}).")
  int repetitions;

  @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs of each kind first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--tls", defaultValue = "off", description = "Members talk Artery over mutual TLS with"
      + " certificates of an in-memory CA, as `fedmesh run` does, on|off (default: ${DEFAULT-VALUE}).")
  String tls;

  @Option(names = "--topology", defaultValue = "ring", description = "ring: plain, secure and cold secure ring"
      + " all-reduce (the shipped code); star: the central-server baseline (member 0 receives every vector and sends"
      + " back the sum) against the plain ring, in one run (default: ${DEFAULT-VALUE}).")
  String topology;

  @Option(names = "--sweep", description = "Instead of one point: N = 3,5,8,12,16 by D = 10^4..10^7, plain and"
      + " secure ring and star at each, into the --report JSON and PNG plots beside it (see BENCHMARKS.md).")
  boolean sweep;

  @Option(names = "--report", description = "Write a JSON report to this file.")
  Path report;

  @Option(names = "--raw-loopback-mb", defaultValue = "256", description = "MiB per repetition of the raw loopback"
      + " TCP measurement (2 untimed, 5 timed; default: ${DEFAULT-VALUE}).")
  int rawLoopbackMb;

  @Override
  public Integer call() throws Exception {
    if (nodes < 3) {
      throw new IllegalArgumentException("secure aggregation needs at least 3 members, --nodes was " + nodes);
    }
    if (!topology.equals("ring") && !topology.equals("star")) {
      throw new IllegalArgumentException("--topology must be ring or star, was " + topology);
    }
    boolean tlsOn = OnOff.parse("--tls", tls);
    if (sweep) {
      if (report == null) {
        throw new IllegalArgumentException("--sweep needs --report FILE.json (the plots go beside it)");
      }
      return new AggregationSweep(tlsOn, warmup, repetitions, (long) rawLoopbackMb << 20, report).run();
    }
    Config shared = memberOverrides();
    NodeSettings defaults = settings(shared);
    WeightedUpdateCodec codec = FedmeshNode.codecFor(defaults);
    AggregationPipeline pipeline = new AggregationPipeline(codec, ServerOptimizer.fedAvg(1.0), params);
    boolean star = topology.equals("star");
    System.out.printf(Locale.ROOT, "Aggregation of %,d parameters over %d members, %s (JDK %s, %d cores, %s)%n",
        params, nodes, star ? "star against plain ring" : "plain, secure and cold secure ring", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), tlsOn ? "mutual TLS" : "plain TCP");
    List<Double> raw = RawLoopback.bytesPerSecond((long) rawLoopbackMb << 20, 2, 5);
    double rawMedian = Stats.median(raw);
    System.out.printf(Locale.ROOT, "raw loopback TCP (one sender, one receiver, plain socket): %.0f MB/s%n",
        rawMedian / 1e6);
    System.out.println("making identities and the cluster");
    List<MemberIdentity> identities = identities(nodes);
    List<AggregationPoint.Kind> kinds = star
        ? List.of(AggregationPoint.Kind.STAR, AggregationPoint.Kind.PLAIN_RING)
        : List.of(AggregationPoint.Kind.PLAIN_RING, AggregationPoint.Kind.SECURE_RING,
            AggregationPoint.Kind.SECURE_COLD_RING);
    AggregationPoint point;
    try (BenchCluster cluster = new BenchCluster(shared, bootstrapCa(), identities, tlsOn)) {
      AggregationBenchmark bench = new AggregationBenchmark(cluster, identities, pipeline, 1);
      point = AggregationPoint.measure(bench, kinds, warmup, repetitions, codec.fractionalBits(),
          System.out::println);
    }
    AggregationPoint.Kind main = kinds.get(0);
    AggregationBenchmark.Outcome shown = point.last(main);
    long vectorBytes = 8L * codec.vectorLength(params);
    double ringRate = point.bytesPerSecond(AggregationPoint.Kind.PLAIN_RING);
    System.out.printf(Locale.ROOT, "%s median %.3f s; busiest member sent %,d and received %,d bytes (%.2f and %.2f"
        + " vectors of %,d bytes); peak heap %,d MB; exact = %s%n", main.key, point.median(main),
        shown.busiestSent(), shown.busiestReceived(), shown.busiestSent() / (double) vectorBytes,
        shown.busiestReceived() / (double) vectorBytes, vectorBytes, point.peakHeapBytes() >> 20, point.exact());
    double ringRoundRate = point.roundBytesPerSecond(AggregationPoint.Kind.PLAIN_RING);
    System.out.printf(Locale.ROOT, "plain ring all-reduce moves %.0f MB/s (all members' bytes over its median"
        + " seconds) = %.0f%% of raw loopback; over the whole aggregation's median %.0f MB/s = %.0f%%%n",
        ringRate / 1e6, 100 * ringRate / rawMedian, ringRoundRate / 1e6, 100 * ringRoundRate / rawMedian);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("topology", topology);
    r.put("nodes", nodes);
    r.put("params", params);
    r.put("bytes_sent_busiest_member", shown.busiestSent());
    r.put("bytes_received_busiest_member", shown.busiestReceived());
    r.put("peak_heap_bytes", point.peakHeapBytes());
    r.put("peak_heap_after_gc_bytes", point.peakHeapAfterGcBytes());
    r.put("peak_heap_means", "most heap in use in this JVM (all members) while the timed and warm-up rounds ran,"
        + " sampled every 5 ms, garbage not yet collected included (so it grows toward -Xmx); peak_heap_after_gc_bytes:"
        + " the most in use right after a collection");
    r.put("raw_loopback_bytes_per_second", rawMedian);
    r.put("raw_loopback_bytes_per_second_runs", raw);
    r.put("ring_bytes_per_second", ringRate);
    r.put("ring_bytes_per_second_means", "payload bytes all members send in one plain ring all-reduce, over the"
        + " all-reduce's median seconds (first member handing its vector to the ring to the last holding the sum, as"
        + " the ring endpoints publish them)");
    r.put("ring_over_raw_loopback", ringRate / rawMedian);
    r.put("ring_round_bytes_per_second", ringRoundRate);
    r.put("ring_round_bytes_per_second_means", "the same bytes over the median seconds of the whole aggregation"
        + " (encode, all-reduce, decode, apply, model hash)");
    r.put("vector_bytes", vectorBytes);
    if (star) {
      r.put("star_over_plain_ring", point.median(AggregationPoint.Kind.STAR)
          / point.median(AggregationPoint.Kind.PLAIN_RING));
    }
    r.putAll(point.figures());
    if (!star) {
      secureFigures(r, point, defaults, identities.get(0));
    }
    r.put("tls", tlsOn);
    r.put("transport", tlsOn ? "Artery tls-tcp, mutual TLS (" + defaults.tls().protocol() + ")" : "Artery tcp");
    r.put("repetitions", repetitions);
    r.put("warmup", warmup);
    r.put("exact", point.exact());
    r.put("fractional_bits", codec.fractionalBits());
    r.put("jdk", Runtime.version().toString());
    r.put("cores", Runtime.getRuntime().availableProcessors());
    if (report != null) {
      JsonReport.write(report, r);
    }
    return point.exact() ? 0 : 1;
  }

  /** The secure ring against the plain one, and what its crypto costs on one core. */
  private void secureFigures(Map<String, Object> r, AggregationPoint point, NodeSettings defaults,
                             MemberIdentity identity) throws Exception {
    double plainMedian = point.median(AggregationPoint.Kind.PLAIN_RING);
    double secureMedian = point.median(AggregationPoint.Kind.SECURE_RING);
    double coldMedian = point.median(AggregationPoint.Kind.SECURE_COLD_RING);
    int maskLongs = Math.min(params, 1 << 20);
    double maskBytesPerSecond = CipherThroughput.maskBytesPerSecond(maskLongs, 5);
    Map<String, Double> keystream = CipherThroughput.keystreamBytesPerSecond(8 * maskLongs, 5);
    int pieceBytes = 8 * VectorSerializer.longsPerMessage(defaults.aggregation().chunkBytes());
    double macBytesPerSecond = CipherThroughput.ringMacBytesPerSecond(8 * maskLongs, pieceBytes, 5);
    Map<String, Double> seals = CipherThroughput.controlSealCost(identity, 21);
    long bytesPerNode = point.last(AggregationPoint.Kind.SECURE_RING).totalSent() / nodes;
    System.out.printf(Locale.ROOT, "plain median %.3f s, secure median %.3f s: secure/plain = %.2f; secure cold"
        + " median %.3f s: cold/plain = %.2f%n", plainMedian, secureMedian, secureMedian / plainMedian,
        coldMedian, coldMedian / plainMedian);
    // Each member tags what it sends and verifies as much as it receives (secure rounds only).
    double macSeconds = 2.0 * bytesPerNode / macBytesPerSecond;
    System.out.printf(Locale.ROOT, "masks %.0f MB/s on one core; ring piece MACs (" + PieceMac.ALGORITHM
        + ", %,d-byte pieces) %.0f MB/s on one core: about %.3f s per member per secure aggregation (%.0f%% of the"
        + " secure median)%n", maskBytesPerSecond / 1e6, pieceBytes, macBytesPerSecond / 1e6, macSeconds,
        100 * macSeconds / secureMedian);
    // Per attempt the coordinator seals StartRound, RoundKeys and CommitRound; each member seals its status, Ready,
    // Contributed, Aggregated and RoundCommitted and verifies the first three; the coordinator verifies 5 per member.
    double sealSecondsPerAttempt = (3 + 5.0 * nodes) * seals.get("seal_seconds_median")
        + (3.0 * nodes + 5.0 * nodes) * seals.get("verify_seconds_median");
    System.out.printf(Locale.ROOT, "control-message seals (RSA-3072 PSS): seal %.2f ms, verify %.2f ms, %.0f bytes;"
        + " about %.3f s of CPU per attempt of %d members, off the vector path%n",
        1e3 * seals.get("seal_seconds_median"), 1e3 * seals.get("verify_seconds_median"), seals.get("seal_bytes"),
        sealSecondsPerAttempt, nodes);
    r.put("control_seal", seals);
    r.put("control_seal_cpu_seconds_per_attempt_estimate", sealSecondsPerAttempt);
    r.put("secure_over_plain", secureMedian / plainMedian);
    r.put("measures", "one AttemptSession per member (the code a round runs), timed from the updates being"
        + " handed over to every member holding the decoded, applied sum and its hash");
    r.put("secure_means", "keys, pairwise and self masks and seed shares made while members train, as in a"
        + " round; timed: encode + add masks + reduce-scatter + double masking (attest, reveal, unmask one segment)"
        + " + all-gather + decode + apply");
    r.put("secure_cold_over_plain", coldMedian / plainMedian);
    r.put("secure_cold_means", "nothing prepared; timed: keys, signatures, verification, masks, seed shares,"
        + " encode, all-reduce with double masking, decode");
    r.put("key_and_mask_preparation_seconds_median", Stats.median(point.preparation()));
    r.put("bytes_sent_per_node", bytesPerNode);
    r.put("server_bytes_received_equivalent", 8L * FedmeshNode.codecFor(defaults).vectorLength(params) * nodes);
    r.put("double_masking", "self-mask per member; seeds Shamir-shared (threshold n-1); each member unmasks the"
        + " segment it sums; each member sends its ring predecessor its own words of that segment (D/n words,"
        + " counted in bytes_sent_per_node), so that every segment is held twice; 3(n-1) small AES-GCM peer"
        + " messages per member, not counted");
    r.put("mask_bytes_per_second", maskBytesPerSecond);
    r.put("keystream_bytes_per_second", keystream);
    r.put("ring_mac", PieceMac.ALGORITHM + " (JDK) over every ring piece, tagged by the sender, verified by the"
        + " receiver; secure runs only");
    r.put("ring_mac_bytes_per_second", macBytesPerSecond);
    r.put("ring_mac_seconds_per_node_estimate", 2.0 * bytesPerNode / macBytesPerSecond);
  }

  /**
   * What every bench member takes on top of the defaults: the {@code fedmesh.*} and {@code pekko.*} system
   * properties (e.g. {@code -Dfedmesh.aggregation.chunk-bytes=512KiB}), to try a setting without a build.
   */
  static Config memberOverrides() {
    Config props = ConfigFactory.systemProperties();
    Config shared = ConfigFactory.empty();
    for (String root : List.of("fedmesh", "pekko")) {
      if (props.hasPath(root)) {
        shared = shared.withFallback(props.withOnlyPath(root));
      }
    }
    return shared;
  }

  /** The defaults a bench member runs with, under {@code shared}. */
  static NodeSettings settings(Config shared) {
    return NodeSettings.fromConfig(ConfigFactory.parseString("fedmesh.node-id = bench")
        .withFallback(shared).withFallback(FedmeshNode.defaults()).resolve());
  }

  private static ConsortiumCa ca;

  /** One in-memory CA per process: RSA-3072 keys take a while. */
  static synchronized ConsortiumCa bootstrapCa() throws Exception {
    if (ca == null) {
      ca = ConsortiumCa.create("bench", Duration.ofDays(7));
    }
    return ca;
  }

  private static final List<MemberIdentity> issued = new ArrayList<>();

  /** Member identities node-1..node-n, issued by {@link #bootstrapCa()} once per process and reused. */
  static synchronized List<MemberIdentity> identities(int n) throws Exception {
    for (int i = issued.size() + 1; i <= n; i++) {
      issued.add(bootstrapCa().issue("node-" + i, List.of("127.0.0.1"), Duration.ofDays(1)));
    }
    return List.copyOf(issued.subList(0, n));
  }
}
