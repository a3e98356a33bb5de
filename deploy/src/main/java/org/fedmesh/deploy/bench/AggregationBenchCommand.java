package org.fedmesh.deploy.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * one run, alternating so that both see the same machine noise.
 */
@Command(name = "aggregation", mixinStandardHelpOptions = true,
    description = "Time plain and secure all-reduce of D parameters over N members in this JVM, in one run.")
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

  @Option(names = "--report", description = "Write a JSON report to this file.")
  Path report;

  @Override
  public Integer call() throws Exception {
    if (nodes < 3) {
      throw new IllegalArgumentException("secure aggregation needs at least 3 members, --nodes was " + nodes);
    }
    boolean tlsOn = OnOff.parse("--tls", tls);
    Config shared = ConfigFactory.empty();
    NodeSettings defaults = NodeSettings.fromConfig(ConfigFactory.parseString("fedmesh.node-id = bench")
        .withFallback(shared).withFallback(FedmeshNode.defaults()).resolve());
    WeightedUpdateCodec codec = FedmeshNode.codecFor(defaults);
    AggregationPipeline pipeline = new AggregationPipeline(codec, ServerOptimizer.fedAvg(1.0), params);
    System.out.printf(Locale.ROOT, "Aggregation of %,d parameters over %d members (JDK %s, %d cores, %s): making"
        + " identities and the cluster%n", params, nodes, Runtime.version(), Runtime.getRuntime().availableProcessors(),
        tlsOn ? "mutual TLS" : "plain TCP");
    ConsortiumCa ca = ConsortiumCa.create("bench", Duration.ofDays(7));
    List<MemberIdentity> identities = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      identities.add(ca.issue("node-" + i, List.of("127.0.0.1"), Duration.ofDays(1)));
    }
    List<Double> plain = new ArrayList<>();
    List<Double> secure = new ArrayList<>();
    List<Double> cold = new ArrayList<>();
    List<Double> preparation = new ArrayList<>();
    boolean exact = true;
    long[] bytesSent;
    try (BenchCluster cluster = new BenchCluster(shared, ca, identities, tlsOn)) {
      AggregationBenchmark bench = new AggregationBenchmark(cluster, identities, pipeline, 1);
      double[] expected = bench.expectedMean();
      double tolerance = bench.tolerance(codec.fractionalBits());
      AggregationBenchmark.Outcome lastSecure = null;
      for (int rep = 0; rep < warmup + repetitions; rep++) {
        AggregationBenchmark.Outcome p = bench.plain();
        AggregationBenchmark.Outcome s = bench.secure();
        AggregationBenchmark.Outcome c = bench.secureCold();
        exact &= agrees(p, s, expected, tolerance) && agrees(p, c, expected, tolerance);
        lastSecure = s;
        if (rep >= warmup) {
          plain.add(p.seconds());
          secure.add(s.seconds());
          cold.add(c.seconds());
          preparation.add(bench.lastPreparation());
          System.out.printf(Locale.ROOT, "  run %d: plain %.3f s, secure %.3f s (keys and masks made before: %.3f s),"
              + " secure cold %.3f s%n", rep - warmup + 1, p.seconds(), s.seconds(), bench.lastPreparation(),
              c.seconds());
        }
      }
      bytesSent = lastSecure.results().stream().mapToLong(AttemptSession.Aggregated::bytesSent).toArray();
    }
    int maskLongs = Math.min(params, 1 << 20);
    double maskBytesPerSecond = CipherThroughput.maskBytesPerSecond(maskLongs, 5);
    Map<String, Double> keystream = CipherThroughput.keystreamBytesPerSecond(8 * maskLongs, 5);
    int pieceBytes = 8 * VectorSerializer.longsPerMessage(defaults.aggregation().chunkBytes());
    double macBytesPerSecond = CipherThroughput.ringMacBytesPerSecond(8 * maskLongs, pieceBytes, 5);
    Map<String, Double> seals = CipherThroughput.controlSealCost(identities.get(0), 21);
    double plainMedian = median(plain);
    double secureMedian = median(secure);
    double coldMedian = median(cold);
    long bytesPerNode = Arrays.stream(bytesSent).sum() / bytesSent.length;
    long vectorBytes = 8L * codec.vectorLength(params);
    System.out.printf(Locale.ROOT, "plain median %.3f s, secure median %.3f s: secure/plain = %.2f; secure cold"
        + " median %.3f s: cold/plain = %.2f; exact = %s%n", plainMedian, secureMedian, secureMedian / plainMedian,
        coldMedian, coldMedian / plainMedian, exact);
    // Each member tags what it sends and verifies as much as it receives (secure rounds only).
    double macSeconds = 2.0 * bytesPerNode / macBytesPerSecond;
    System.out.printf(Locale.ROOT, "bytes sent per member %,d (%.2f vectors of %,d bytes, plain and secure alike);"
        + " masks %.0f MB/s on one core%n", bytesPerNode, bytesPerNode / (double) vectorBytes, vectorBytes,
        maskBytesPerSecond / 1e6);
    System.out.printf(Locale.ROOT, "ring piece MACs (" + PieceMac.ALGORITHM + ", %,d-byte pieces) %.0f MB/s on one core: about"
        + " %.3f s per member per secure aggregation (%.0f%% of the secure median)%n", pieceBytes,
        macBytesPerSecond / 1e6, macSeconds, 100 * macSeconds / secureMedian);
    // Per attempt the coordinator seals StartRound, RoundKeys and CommitRound; each member seals its status, Ready,
    // Contributed, Aggregated and RoundCommitted and verifies the first three; the coordinator verifies 5 per member.
    double sealSecondsPerAttempt = (3 + 5.0 * nodes) * seals.get("seal_seconds_median")
        + (3.0 * nodes + 5.0 * nodes) * seals.get("verify_seconds_median");
    System.out.printf(Locale.ROOT, "control-message seals (RSA-3072 PSS): seal %.2f ms, verify %.2f ms, %.0f bytes;"
        + " about %.3f s of CPU per attempt of %d members, off the vector path%n",
        1e3 * seals.get("seal_seconds_median"), 1e3 * seals.get("verify_seconds_median"), seals.get("seal_bytes"),
        sealSecondsPerAttempt, nodes);
    if (report != null) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("control_seal", seals);
      r.put("control_seal_cpu_seconds_per_attempt_estimate", sealSecondsPerAttempt);
      r.put("nodes", nodes);
      r.put("params", params);
      r.put("tls", tlsOn);
      r.put("transport", tlsOn ? "Artery tls-tcp, mutual TLS (" + defaults.tls().protocol() + ")" : "Artery tcp");
      r.put("repetitions", repetitions);
      r.put("warmup", warmup);
      r.put("plain_seconds", plain);
      r.put("secure_seconds", secure);
      r.put("plain_seconds_median", plainMedian);
      r.put("secure_seconds_median", secureMedian);
      r.put("secure_over_plain", secureMedian / plainMedian);
      r.put("measures", "one AttemptSession per member (the code a round runs), timed from the updates being"
          + " handed over to every member holding the decoded, applied sum and its hash");
      r.put("secure_means", "keys, pairwise and self masks and seed shares made while members train, as in a"
          + " round; timed: encode + add masks + reduce-scatter + double masking (attest, reveal, unmask one segment)"
          + " + all-gather + decode + apply");
      r.put("secure_cold_seconds", cold);
      r.put("secure_cold_seconds_median", coldMedian);
      r.put("secure_cold_over_plain", coldMedian / plainMedian);
      r.put("secure_cold_means", "nothing prepared; timed: keys, signatures, verification, masks, seed shares,"
          + " encode, all-reduce with double masking, decode");
      r.put("key_and_mask_preparation_seconds_median", median(preparation));
      r.put("bytes_sent_per_node", bytesPerNode);
      r.put("vector_bytes", vectorBytes);
      r.put("server_bytes_received_equivalent", vectorBytes * nodes);
      r.put("double_masking", "self-mask per member; seeds Shamir-shared (threshold n-1); each member unmasks the"
          + " segment it sums; 3(n-1) small AES-GCM peer messages per member, not counted in bytes_sent_per_node");
      r.put("mask_bytes_per_second", maskBytesPerSecond);
      r.put("keystream_bytes_per_second", keystream);
      r.put("ring_mac", PieceMac.ALGORITHM + " (JDK) over every ring piece, tagged by the sender, verified by the"
          + " receiver; secure runs only");
      r.put("ring_mac_bytes_per_second", macBytesPerSecond);
      r.put("ring_mac_seconds_per_node_estimate", macSeconds);
      r.put("exact", exact);
      r.put("fractional_bits", codec.fractionalBits());
      r.put("jdk", Runtime.version().toString());
      r.put("cores", Runtime.getRuntime().availableProcessors());
      JsonReport.write(report, r);
    }
    return exact ? 0 : 1;
  }

  /**
   * Every member computed the same model both ways (its hash covers every decoded value, so equal hashes mean the
   * same integer sum), and it decodes to the true weighted mean.
   */
  private static boolean agrees(AggregationBenchmark.Outcome plain, AggregationBenchmark.Outcome secure,
                                double[] expected, double tolerance) {
    String hash = plain.results().get(0).applied().next().hash();
    for (int i = 0; i < plain.results().size(); i++) {
      if (!plain.results().get(i).applied().next().hash().equals(hash)
          || !secure.results().get(i).applied().next().hash().equals(hash)) {
        return false;
      }
    }
    double[] decoded = secure.results().get(0).applied().sum().meanDelta();
    for (int j = 0; j < expected.length; j++) {
      if (Math.abs(decoded[j] - expected[j]) > tolerance) {
        return false;
      }
    }
    return true;
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
