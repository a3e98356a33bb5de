package org.fedmesh.node.round;

import java.util.Arrays;
import org.fedmesh.mpc.FeatureSums;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Scaler;

/**
 * Features standardised with the consortium's statistics: every feature's mean and standard deviation over all
 * members' training rows, learnt through the secure sum in a statistics round before the first training round,
 * so that no member's own statistics are revealed and every member scales alike.
 *
 * <p>The statistics are kept in the model, as its last {@code 2F} parameters (means, then standard deviations):
 * so they are covered by the model's hash and the commit certificates, written in checkpoints, and handed to a
 * member that catches up with the model. Local training never changes them (their update is exactly 0, which
 * every server optimizer leaves as it is). All zeros means "not learnt yet": the next round is the statistics
 * round.
 *
 * @param features F, the number of features; 0 when the consortium does not standardise this way
 */
public record ConsortiumScaling(int features) {

  /** Members that scale with fixed constants (or not at all): no statistics round, no section. */
  public static final ConsortiumScaling NONE = new ConsortiumScaling(0);

  public ConsortiumScaling {
    if (features < 0) {
      throw new IllegalArgumentException("feature count must be at least 0, got " + features);
    }
  }

  public boolean enabled() {
    return features > 0;
  }

  /** Parameters the statistics take at the end of the model. */
  public int sectionLength() {
    return 2 * features;
  }

  /** True when the model holds no statistics yet (enabled, and the section is all zeros). */
  public boolean needsStatistics(float[] parameters) {
    if (!enabled()) {
      return false;
    }
    for (int j = parameters.length - sectionLength(); j < parameters.length; j++) {
      if (parameters[j] != 0f) {
        return false;
      }
    }
    return true;
  }

  /** The network's own parameters, without the section (the parameters themselves when not enabled). */
  public float[] network(float[] parameters) {
    return enabled() ? Arrays.copyOf(parameters, parameters.length - sectionLength()) : parameters;
  }

  /** {@code rows} as the model expects them: scaled with its statistics when enabled, else as they are. */
  public Dataset prepare(float[] parameters, Dataset rows) {
    return enabled() ? scaler(parameters).apply(rows) : rows;
  }

  /** The model with the statistics the consortium's sums give; a constant feature keeps divisor 1 (only centred). */
  public float[] withStatistics(float[] parameters, FeatureSums sums) {
    if (sums.features() != features) {
      throw new IllegalArgumentException("sums of " + sums.features() + " features, the model keeps " + features);
    }
    float[] next = parameters.clone();
    int at = parameters.length - sectionLength();
    for (int c = 0; c < features; c++) {
      float std = (float) Math.sqrt(sums.variance(c));
      next[at + c] = (float) sums.mean(c);
      next[at + features + c] = std > 0 && Float.isFinite(std) ? std : 1f;
    }
    return next;
  }

  /** The scaler the model's statistics describe. */
  public Scaler scaler(float[] parameters) {
    if (needsStatistics(parameters)) {
      throw new IllegalStateException("the model holds no feature statistics yet");
    }
    int at = parameters.length - sectionLength();
    return Scaler.of(new Scaler.Description(Arrays.copyOfRange(parameters, at, at + features),
        Arrays.copyOfRange(parameters, at + features, parameters.length), 1f));
  }
}
