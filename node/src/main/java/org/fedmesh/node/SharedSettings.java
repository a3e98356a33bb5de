package org.fedmesh.node;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The settings every member of a consortium must share: the model and its seed, the fixed-point bounds and server
 * optimizer, the piece size of the ring, the coordinator's timings, the task and the class list. A member that
 * differs in any of them computes another model (or another ring layout) and would fail every attempt on a hash
 * mismatch; comparing digests of them in {@code StartRound} turns that into a refusal that names the keys.
 *
 * <p>Per-key digests rather than values: a digest names the differing key without putting a member's
 * configuration on the wire. Values are canonical (parsed settings, not the text of the file), so "128 KiB" and
 * "131072" agree.
 */
public final class SharedSettings {
  /**
   * The version of what members say to each other (messages, the update vector's layout): raise it with any change
   * an older member would misread. Unlike the settings, it travels in plain text, so that a refusal can name both.
   * Releases before it had none.
   */
  public static final int PROTOCOL_VERSION = 6; // 6: masks are AES-256/CTR keystreams (ChaCha20 before)
  static final String PROTOCOL_VERSION_KEY = "protocol.version";

  /** The layout of the vector each member sends into the sum; a new layout gets a new name. */
  static final String UPDATE_LAYOUT = "deltas,loss,samples,correct-per-class,rows-per-class";

  private SharedSettings() {}

  /** Key (as in the configuration, without {@code fedmesh.}) to the SHA-256 of its canonical value, hex, 16 chars. */
  public static Map<String, String> fingerprint(NodeSettings s) {
    return fingerprint(s, 0);
  }

  /**
   * As {@link #fingerprint(NodeSettings)}, for a member whose model keeps the statistics of {@code
   * statisticsFeatures} features ({@link org.fedmesh.node.round.ConsortiumScaling}; 0: none). Members that differ in
   * it would sum feature sums with updates in the first round.
   */
  public static Map<String, String> fingerprint(NodeSettings s, int statisticsFeatures) {
    NodeSettings.AggregationSettings a = s.aggregation();
    NodeSettings.CoordinatorSettings c = s.coordinator();
    Map<String, Object> values = new TreeMap<>();
    values.put("rounds", s.rounds());
    values.put("model.spec", s.model());
    values.put("model.seed", s.modelSeed());
    values.put("aggregation.clip-norm", a.clipNorm());
    values.put("aggregation.fractional-bits", a.fractionalBits());
    values.put("aggregation.max-participants", a.maxParticipants());
    values.put("aggregation.max-samples", a.maxSamples());
    values.put("aggregation.max-loss", a.maxLoss());
    values.put("aggregation.strategy", a.strategy());
    values.put("aggregation.server-learning-rate", a.serverLearningRate());
    values.put("aggregation.server-momentum", a.serverMomentum());
    values.put("aggregation.server-adaptive-learning-rate", a.serverAdaptiveLearningRate());
    values.put("aggregation.server-beta1", a.serverBeta1());
    values.put("aggregation.server-beta2", a.serverBeta2());
    values.put("aggregation.server-tau", a.serverTau());
    values.put("aggregation.chunk-bytes", a.chunkBytes());
    values.put("coordinator.min-participants", c.minParticipants());
    values.put("coordinator.round-deadline", c.roundDeadline());
    values.put("coordinator.survey-timeout", c.surveyTimeout());
    values.put("coordinator.retry-backoff", c.retryBackoff());
    values.put("coordinator.max-attempts-per-round", c.maxAttemptsPerRound());
    values.put("coordinator.max-garbage-attempts", c.maxGarbageAttempts());
    values.put("coordinator.garbage-backoff", c.garbageBackoff());
    // Not a setting: what an update's vector holds. Members that differ in it (another version) refuse each other.
    values.put("protocol.update-layout", UPDATE_LAYOUT);
    values.put("dp.level", s.dp().level().key());
    if (s.dp().enabled()) { // only then do the others matter; keys of older members stay comparable
      values.put("dp.noise", s.dp().noise());
      values.put("dp.clip", s.dp().clip());
      values.put("dp.delta", s.dp().delta());
      values.put("dp.epsilon-budget", s.dp().epsilonBudget());
      values.put("dp.sample-rate", s.dp().sampleRate());
      values.put("dp.colluders", s.dp().colluders());
    }
    values.put("data.task", s.data().task());
    values.put("data.classes", s.data().classes());
    values.put("data.consortium-statistics-features", statisticsFeatures);
    Map<String, String> digests = new TreeMap<>();
    values.forEach((key, value) -> digests.put(key, digest(String.valueOf(value))));
    digests.put(PROTOCOL_VERSION_KEY, Integer.toString(PROTOCOL_VERSION));
    return Map.copyOf(digests);
  }

  /**
   * When the protocol versions differ, a sentence naming both ({@code mine} is this member's fingerprint, {@code
   * theirs} the other side's); empty when they agree.
   */
  public static String versionDifference(Map<String, String> mine, Map<String, String> theirs, String them) {
    String own = mine.getOrDefault(PROTOCOL_VERSION_KEY, "none");
    String other = theirs.getOrDefault(PROTOCOL_VERSION_KEY, "none (a release from before protocol versions)");
    return own.equals(other) ? "" : "; this member speaks fedmesh protocol " + own + ", " + them + " protocol "
        + other + ": run one release on every member (a rolling upgrade goes one member at a time, and members"
        + " of two versions do not train together)";
  }

  /** The keys whose digests differ, or that only one side has (an older or newer member), sorted. */
  public static List<String> differingKeys(Map<String, String> mine, Map<String, String> theirs) {
    TreeSet<String> keys = new TreeSet<>(mine.keySet());
    keys.addAll(theirs.keySet());
    keys.removeIf(k -> mine.containsKey(k) && mine.get(k).equals(theirs.get(k)));
    return List.copyOf(keys);
  }

  private static String digest(String value) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
