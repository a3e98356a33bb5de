package org.fedmesh.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.fedmesh.node.membership.TlsSettings;
import org.fedmesh.node.model.ModelSpec;
import org.fedmesh.node.model.OptimizerSpec;
import org.fedmesh.node.model.TrainingConfig;
import org.fedmesh.node.privacy.DpSettings;

/**
 * The {@code fedmesh} section of a member's configuration, read once and checked as a whole: every problem is
 * reported together, before the node joins anything. Keys are documented in README.md and reference.conf.
 */
public record NodeSettings(
    String nodeId,
    String host,
    int port,
    List<String> seedNodes,
    MembershipSettings membership,
    long rounds,
    ModelSpec model,
    long modelSeed,
    TrainingConfig training,
    AggregationSettings aggregation,
    CoordinatorSettings coordinator,
    DataSettings data,
    IdentitySettings identity,
    TlsSettings tls,
    Path checkpointDir,
    DpSettings dp) {

  /**
   * The rounds the coordinator runs: {@code rounds}, or fewer when one more would spend more than the privacy
   * budget (0 = until stopped, so the budget's count).
   */
  /**
   * Member-level DP: how many members' noise shares add up to the whole noise. The smallest sum that can commit
   * holds {@code min-participants} shares, of which a coalition of {@code dp.colluders} knows its own.
   */
  public int noiseShares() {
    return Math.max(1, coordinator.minParticipants() - dp.colluders());
  }

  public long roundsWithinBudget() {
    long budget = dp.maxRounds(dp.stepsPerRound(training.localEpochs())); // no limit without DP or a budget
    return rounds == 0 ? (budget == Long.MAX_VALUE ? 0 : budget) : Math.min(rounds, budget);
  }

  /**
   * When a member gives up on a cluster too small to be the consortium's.
   *
   * @param expectedMembers the consortium's size ({@code fedmesh.expected-members}, 0 there = the number of seed
   *                        nodes); 0 here when unknown, which turns the watch off
   * @param isolationExitAfter how long it may see fewer than a majority of them before leaving; zero = never
   * @param restartJoinTimeout how long a restarting first seed node waits for the others before it may form the
   *                           cluster again (they are all down); zero = wait forever
   */
  public record MembershipSettings(int expectedMembers, Duration isolationExitAfter, Duration restartJoinTimeout) {
    /** The fewest members, this one included, that a member must see Up and reachable. */
    public int majority() {
      return expectedMembers / 2 + 1;
    }

    public boolean watchIsolation() {
      return expectedMembers > 0 && !isolationExitAfter.isZero();
    }
  }

  /** How updates are summed. */
  public record AggregationSettings(
      boolean secure,
      boolean allowUnsafeTwoParty,
      double clipNorm,
      int fractionalBits,
      int maxParticipants,
      long maxSamples,
      double maxLoss,
      Strategy strategy,
      double serverLearningRate,
      double serverMomentum,
      double serverAdaptiveLearningRate,
      double serverBeta1,
      double serverBeta2,
      double serverTau,
      int chunkBytes) {}

  /** What the round coordinator (whichever node hosts it) does. */
  public record CoordinatorSettings(
      int minParticipants,
      Duration roundDeadline,
      Duration surveyTimeout,
      Duration retryBackoff,
      int maxAttemptsPerRound,
      int maxGarbageAttempts,
      Duration garbageBackoff) {}

  /** Where this member's own data is; empty path when the data is handed over in code (the demo, tests). */
  public record DataSettings(String path, String format, String labelColumn, String task, List<String> classes,
                             double testFraction, String scaling, long seed) {
    /** {@code standardize}: with the consortium's statistics, learnt in the statistics round (ConsortiumScaling). */
    public boolean consortiumStatistics() {
      return scaling.equals("standardize");
    }
  }

  /**
   * The member's certified key and the consortium CA, and the CA's revocation list (optional); empty paths when
   * handed over in code.
   */
  public record IdentitySettings(String key, String certificate, String ca, String revocationList) {
    /** Whether the three PEM files mutual TLS reads are configured. */
    public boolean hasFiles() {
      return !key.isEmpty() && !certificate.isEmpty() && !ca.isEmpty();
    }
  }

  /** Thrown with every problem found in a configuration at once. */
  public static final class InvalidSettingsException extends IllegalArgumentException {
    private final List<String> problems;

    public InvalidSettingsException(List<String> problems) {
      super("invalid fedmesh configuration:\n  - " + String.join("\n  - ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  /** Reads {@code config.getConfig("fedmesh")}; throws {@link InvalidSettingsException} listing all problems. */
  public static NodeSettings fromConfig(Config root) {
    Reader r = new Reader(root.hasPath("fedmesh") ? root.getConfig("fedmesh") : null);
    if (r.config == null) {
      throw new InvalidSettingsException(List.of("no 'fedmesh' section in the configuration"));
    }
    String nodeId = r.get("node-id", () -> r.config.getString("node-id"));
    if (nodeId != null && !nodeId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      r.problem("node-id", "'" + nodeId + "' must be 1-64 letters, digits, '.', '_' or '-'");
    }
    String host = r.get("host", () -> r.config.getString("host"));
    Integer port = r.get("port", () -> r.config.getInt("port"));
    if (port != null && (port < 0 || port > 65535)) {
      r.problem("port", port + " is not a TCP port");
    }
    List<String> seeds = r.get("seed-nodes", () -> r.config.getStringList("seed-nodes"));
    if (seeds != null) {
      for (String seed : seeds) {
        if (!seed.matches("[^:/@]+:\\d{1,5}")) {
          r.problem("seed-nodes", "'" + seed + "' is not HOST:PORT");
        }
      }
    }
    Integer expected = r.get("expected-members", () -> r.config.getInt("expected-members"));
    if (expected != null && expected < 0) {
      r.problem("expected-members", expected + " is negative (0 = as many as seed-nodes)");
    }
    Duration exitAfter = r.get("isolation-exit-after", () -> r.config.getDuration("isolation-exit-after"));
    if (exitAfter != null && exitAfter.isNegative()) {
      r.problem("isolation-exit-after", exitAfter + " is negative (0 = never leave)");
    }
    Duration restartJoin = r.get("restart-join-timeout", () -> r.config.getDuration("restart-join-timeout"));
    if (restartJoin != null && restartJoin.isNegative()) {
      r.problem("restart-join-timeout", restartJoin + " is negative (0 = wait for the others forever)");
    }
    MembershipSettings membership = expected == null || exitAfter == null || restartJoin == null || seeds == null
        ? null : new MembershipSettings(expected == 0 ? seeds.size() : expected, exitAfter, restartJoin);
    Long rounds = r.get("rounds", () -> r.config.getLong("rounds"));
    if (rounds != null && rounds < 0) {
      r.problem("rounds", "must be >= 0 (0 = keep training until stopped)");
    }
    ModelSpec model = r.get("model.spec", () -> ModelSpec.parse(r.config.getString("model.spec")));
    Long modelSeed = r.get("model.seed", () -> r.config.getLong("model.seed"));
    Strategy strategy = r.get("aggregation.strategy",
        () -> Strategy.parse(r.config.getString("aggregation.strategy")));
    Double proximalMu = r.get("training.proximal-mu", () -> r.config.getDouble("training.proximal-mu"));
    if (strategy != null && strategy.proximal() && proximalMu != null && !(proximalMu > 0)) {
      r.problem("training.proximal-mu", "must be above 0 for strategy fedprox, not " + proximalMu);
    }
    TrainingConfig training = strategy == null || proximalMu == null ? null : r.get("training", () -> {
      Config t = r.config.getConfig("training");
      OptimizerSpec optimizer = OptimizerSpec.parse(t.getString("optimizer"));
      // Only fedprox adds the proximal term; the key is read for every strategy so that a typo shows.
      return new TrainingConfig(t.getInt("local-epochs"), t.getInt("batch-size"), optimizer,
          strategy.proximal() ? proximalMu : 0, t.getLong("seed"),
          TrainingConfig.Augmentation.parse(t.getString("augment")));
    });
    AggregationSettings aggregation = strategy == null ? null : r.get("aggregation", () -> {
      Config a = r.config.getConfig("aggregation");
      return new AggregationSettings(a.getBoolean("secure"), a.getBoolean("allow-unsafe-two-party"),
          a.getDouble("clip-norm"), a.getInt("fractional-bits"), a.getInt("max-participants"),
          a.getLong("max-samples"), a.getDouble("max-loss"), strategy,
          a.getDouble("server-learning-rate"), a.getDouble("server-momentum"),
          a.getDouble("server-adaptive-learning-rate"), a.getDouble("server-beta1"), a.getDouble("server-beta2"),
          a.getDouble("server-tau"), (int) a.getBytes("chunk-bytes").longValue());
    });
    if (aggregation != null) {
      if (!(aggregation.serverBeta1() >= 0 && aggregation.serverBeta1() < 1)) {
        r.problem("aggregation.server-beta1", "must be in [0, 1), not " + aggregation.serverBeta1());
      }
      if (!(aggregation.serverBeta2() >= 0 && aggregation.serverBeta2() < 1)) {
        r.problem("aggregation.server-beta2", "must be in [0, 1), not " + aggregation.serverBeta2());
      }
      if (!(aggregation.serverTau() > 0)) {
        r.problem("aggregation.server-tau", "must be positive, not " + aggregation.serverTau());
      }
      if (aggregation.chunkBytes() < 1024) {
        r.problem("aggregation.chunk-bytes", "must be at least 1 KiB");
      }
    }
    CoordinatorSettings coordinator = r.get("coordinator", () -> {
      Config c = r.config.getConfig("coordinator");
      return new CoordinatorSettings(c.getInt("min-participants"), c.getDuration("round-deadline"),
          c.getDuration("survey-timeout"), c.getDuration("retry-backoff"), c.getInt("max-attempts-per-round"),
          c.getInt("max-garbage-attempts"), c.getDuration("garbage-backoff"));
    });
    if (coordinator != null && coordinator.maxAttemptsPerRound() < 1) {
      r.problem("coordinator.max-attempts-per-round", "must be at least 1");
    }
    if (coordinator != null && coordinator.maxGarbageAttempts() < 1) {
      r.problem("coordinator.max-garbage-attempts", "must be at least 1");
    }
    if (coordinator != null && aggregation != null) {
      int floor = aggregation.secure() && !aggregation.allowUnsafeTwoParty() ? 3 : 1;
      if (coordinator.minParticipants() < floor) {
        r.problem("coordinator.min-participants", coordinator.minParticipants() + " is below " + floor
            + ": with secure aggregation the sum of two members reveals each one's update to the other"
            + " (set aggregation.allow-unsafe-two-party = on to allow it anyway)");
      }
      if (coordinator.minParticipants() > aggregation.maxParticipants()) {
        r.problem("coordinator.min-participants", "exceeds aggregation.max-participants");
      }
    }
    DataSettings data = r.get("data", () -> {
      Config d = r.config.getConfig("data");
      return new DataSettings(d.getString("path"), d.getString("format"), d.getString("label-column"),
          d.getString("task"), d.getStringList("classes"), d.getDouble("test-fraction"), d.getString("scaling"),
          d.getLong("seed"));
    });
    if (data != null) {
      if (!List.of("csv", "fashion-mnist").contains(data.format())) {
        r.problem("data.format", "'" + data.format() + "' is not csv or fashion-mnist");
      }
      if (!List.of("classification", "regression").contains(data.task())) {
        r.problem("data.task", "'" + data.task() + "' is not classification or regression");
      }
      if (!(data.testFraction() >= 0 && data.testFraction() < 1)) {
        r.problem("data.test-fraction", data.testFraction() + " is not in [0, 1)");
      }
      if (!data.scaling().matches("standardize|none|divide:[0-9.eE+-]+")) {
        r.problem("data.scaling", "'" + data.scaling() + "' is not standardize, none or divide:C");
      }
    }
    IdentitySettings identity = r.get("identity", () -> {
      Config i = r.config.getConfig("identity");
      return new IdentitySettings(i.getString("key"), i.getString("certificate"), i.getString("ca"),
          i.getString("revocation-list"));
    });
    TlsSettings tls = r.get("tls", () -> TlsSettings.fromConfig(r.config.getConfig("tls")));
    Path checkpointDir = r.get("checkpoint-dir", () -> {
      String dir = r.config.getString("checkpoint-dir");
      return dir.isEmpty() ? null : Path.of(dir);
    });
    DpSettings dp = r.get("dp", () -> readDp(r.config.getConfig("dp")));
    if (dp != null) {
      checkDp(r, dp, aggregation, training);
      if (dp.enabled() && data != null && !data.path().isEmpty() && data.consortiumStatistics()) {
        r.problem("data.scaling", "standardize learns the consortium's feature statistics in a round of its own,"
            + " released without noise, which differential privacy does not cover; with dp.level = "
            + dp.level().key() + " scale with fixed constants (divide:C) or not at all (none)");
      }
      if (dp.level() == DpSettings.Level.MEMBER && coordinator != null
          && !(dp.colluders() >= 0 && dp.colluders() < coordinator.minParticipants())) {
        r.problem("dp.colluders", dp.colluders() + " must be at least 0 and below coordinator.min-participants ("
            + coordinator.minParticipants() + "): the noise is shared out among the members outside a coalition");
      }
    }
    if (!r.problems.isEmpty()) {
      throw new InvalidSettingsException(r.problems);
    }
    return new NodeSettings(nodeId, host, port, seeds, membership, rounds, model, modelSeed, training, aggregation,
        coordinator, data, identity, tls, checkpointDir, dp);
  }

  private static DpSettings readDp(Config d) {
    return new DpSettings(DpSettings.Level.parse(d.getString("level")), d.getDouble("noise"), d.getDouble("clip"),
        d.getDouble("delta"), d.getDouble("epsilon-budget"), d.getDouble("sample-rate"), d.getInt("colluders"));
  }

  private static void checkDp(Reader r, DpSettings dp, AggregationSettings aggregation, TrainingConfig training) {
    if (!dp.enabled()) {
      return;
    }
    int before = r.problems.size();
    dp.problems().forEach(r::problem);
    if (training != null && training.augmentation() != TrainingConfig.Augmentation.NONE) {
      r.problem("training.augment", "must be none with differential privacy: DP-SGD trains on the rows as they are");
    }
    if (dp.level() == DpSettings.Level.MEMBER && aggregation != null && !aggregation.secure()) {
      r.problem("dp.level", "member-level noise is shared out among the members and needs aggregation.secure = on:"
          + " without it, a peer would see an update carrying one member's share of the noise only");
    }
    if (r.problems.size() == before && training != null && dp.hasBudget()
        && dp.maxRounds(dp.stepsPerRound(training.localEpochs())) == 0) {
      r.problem("dp.epsilon-budget", String.format(Locale.ROOT,
          "%s is spent by the first round already (epsilon %.4f after one round at delta %s)",
          dp.epsilonBudget(), dp.after(1, dp.stepsPerRound(training.localEpochs())).epsilon(), dp.delta()));
    }
  }

  /** Collects problems instead of stopping at the first. */
  private static final class Reader {
    final Config config;
    final List<String> problems = new ArrayList<>();

    Reader(Config config) {
      this.config = config;
    }

    <T> T get(String path, Supplier<T> read) {
      try {
        return read.get();
      } catch (ConfigException.Missing e) {
        problem(path, "missing");
      } catch (ConfigException e) {
        problem(path, e.getMessage());
      } catch (IllegalArgumentException e) {
        problem(path, e.getMessage());
      }
      return null;
    }

    void problem(String path, String what) {
      problems.add("fedmesh." + path + ": " + what);
    }
  }
}
