package org.fedmesh.node.privacy;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A consortium's differential-privacy settings ({@code fedmesh.dp}); every member must hold the same ones (they are
 * in the shared-settings fingerprint), or member-level noise shares would not add up to what the accountant assumes.
 *
 * @param level          none, record (DP-SGD inside each member) or member (noise on each member's whole update)
 * @param noise          noise multiplier z: the Gaussian's standard deviation is z·clip
 * @param clip           L2 norm each record's gradient (record level) or each member's update (member level) is
 *                       clipped to
 * @param delta          the δ epsilon is reported at
 * @param epsilonBudget  the most ε training may spend; 0 for no budget
 * @param sampleRate     record level: the probability with which each step samples each record (Poisson sampling)
 * @param colluders      member level: how many members may pool what they know (their own noise shares among it)
 *                       with the guarantee still holding against them; the shares are sized for the smallest
 *                       committed sum less that many
 */
public record DpSettings(Level level, double noise, double clip, double delta, double epsilonBudget,
                         double sampleRate, int colluders) {

  /** Which neighbouring data sets the guarantee is about. */
  public enum Level {
    NONE, RECORD, MEMBER;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Level parse(String value) {
      for (Level l : values()) {
        if (l.key().equals(value)) {
          return l;
        }
      }
      throw new IllegalArgumentException("'" + value + "' is not none, record or member");
    }
  }

  public static final DpSettings NONE = new DpSettings(Level.NONE, 1, 1, 1e-5, 0, 0.01, 1);

  /**
   * What is wrong with these values on their own, by key under {@code fedmesh} ({@code dp.noise} ...), in key
   * order; empty when nothing is, or when DP is off (then the values are not used).
   */
  public Map<String, String> problems() {
    Map<String, String> problems = new LinkedHashMap<>();
    if (!enabled()) {
      return problems;
    }
    if (!(noise > 0) || !Double.isFinite(noise)) {
      problems.put("dp.noise", "must be positive and finite, not " + noise);
    }
    if (!(clip > 0) || !Double.isFinite(clip)) {
      problems.put("dp.clip", "must be positive and finite, not " + clip);
    }
    if (!(delta > 0 && delta < 1)) {
      problems.put("dp.delta", "must be in (0, 1), not " + delta);
    }
    if (!(epsilonBudget >= 0) || !Double.isFinite(epsilonBudget)) {
      problems.put("dp.epsilon-budget", "must be 0 (none) or a positive epsilon, not " + epsilonBudget);
    }
    if (!(sampleRate > 0 && sampleRate <= 1)) {
      problems.put("dp.sample-rate", "must be in (0, 1], not " + sampleRate);
    }
    return problems;
  }

  public boolean enabled() {
    return level != Level.NONE;
  }

  public boolean hasBudget() {
    return epsilonBudget > 0;
  }

  /** The guarantee after {@code releases} trainings whose results left the member, each of {@code stepsPerRound}. */
  public DpGuarantee after(long releases, long stepsPerRound) {
    return switch (level) {
      case RECORD -> PrivacyAccountant.recordLevel(noise, sampleRate, releases * stepsPerRound, delta);
      case MEMBER -> PrivacyAccountant.memberLevel(noise, releases, delta);
      case NONE -> throw new IllegalStateException("no differential privacy configured");
    };
  }

  /** The most rounds within the budget ({@link Long#MAX_VALUE} without one). */
  public long maxRounds(long stepsPerRound) {
    if (!hasBudget()) {
      return Long.MAX_VALUE;
    }
    return switch (level) {
      case RECORD -> PrivacyAccountant.maxSteps(noise, sampleRate, delta, epsilonBudget) / stepsPerRound;
      case MEMBER -> PrivacyAccountant.maxRounds(noise, delta, epsilonBudget);
      case NONE -> Long.MAX_VALUE;
    };
  }

  /** DP-SGD steps in one round: each epoch is 1/q steps, each sampling a fraction q of the records. */
  public long stepsPerRound(int localEpochs) {
    return level == Level.RECORD ? (long) localEpochs * stepsPerEpoch() : 1;
  }

  public int stepsPerEpoch() {
    return (int) Math.ceil(1 / sampleRate);
  }

  @Override
  public String toString() {
    if (!enabled()) {
      return "off";
    }
    return String.format(Locale.ROOT, "%s level, noise multiplier %s, clip %s, delta %s%s%s", level.key(), noise,
        clip, delta, level == Level.RECORD ? ", sample rate " + sampleRate : ", against up to " + colluders
            + " colluding member(s)",
        hasBudget() ? ", epsilon budget " + epsilonBudget : "");
  }
}
