package org.fedmesh.node.round;

import java.util.Arrays;
import java.util.Map;
import org.fedmesh.mpc.DecodedSum;
import org.fedmesh.mpc.FeatureSums;
import org.fedmesh.mpc.FeatureSumsCodec;
import org.fedmesh.mpc.LongVectors;
import org.fedmesh.mpc.WeightedUpdateCodec;
import org.fedmesh.node.secure.AttemptSecrets;

/**
 * A member's arithmetic in one aggregation: encode its update as fixed point, add its masks, and — once the ring
 * has summed every member's vector — decode the sum and apply the server optimizer to the committed model. The
 * attempt session runs it in rounds and {@code bench aggregation} runs the same session, so the benchmark
 * measures this code, not a copy.
 *
 * <p>With {@link ConsortiumScaling}, the first round sums the members' feature sums instead of updates: the
 * model without statistics says which kind of round it is, so every member decides alike. Vectors are as long as
 * the longer of the two layouts, zeros after what a round uses.
 */
public final class AggregationPipeline {
  private final WeightedUpdateCodec codec;
  private final ServerOptimizer optimizer;
  private final int parameterCount;
  private final ConsortiumScaling scaling;
  private final FeatureSumsCodec sumsCodec;

  public AggregationPipeline(WeightedUpdateCodec codec, ServerOptimizer optimizer, int parameterCount) {
    this(codec, optimizer, parameterCount, ConsortiumScaling.NONE);
  }

  /** With the statistics round when {@code scaling} is enabled; its sums obey the codec's bounds. */
  public AggregationPipeline(WeightedUpdateCodec codec, ServerOptimizer optimizer, int parameterCount,
      ConsortiumScaling scaling) {
    this.codec = codec;
    this.optimizer = optimizer;
    this.parameterCount = parameterCount;
    this.scaling = scaling;
    this.sumsCodec = FeatureSumsCodec.create(codec.maxParticipants(), codec.maxSamples());
  }

  /** How this member's vector is masked. */
  public sealed interface Masking permits Unmasked, Precomputed, Direct {}

  /** A plain round: the update goes into the sum as it is (for comparison only). */
  public record Unmasked() implements Masking {}

  /** Masks made while the model trained, added to the encoding. */
  public record Precomputed(long[] masks) implements Masking {}

  /** No masks made yet (the update was ready first): they are added straight into the encoding, one pass less. */
  public record Direct(AttemptSecrets secrets, Map<String, byte[]> peerKeys) implements Masking {}

  /** The sum decoded and applied: the model this member will hold as pending, and the aggregates it came from. */
  public record Applied(ModelState next, DecodedSum sum) {}

  public int vectorLength() {
    int updates = codec.vectorLength(parameterCount);
    return scaling.enabled() ? Math.max(updates, FeatureSumsCodec.slots(scaling.features())) : updates;
  }

  public int parameterCount() {
    return parameterCount;
  }

  /**
   * The update as this member sends it into the ring. Refuses (throws) NaN, infinities and out-of-bound values
   * before anything leaves the node.
   */
  public long[] encodeMasked(LocalUpdates.LocalUpdate update, Masking masking) {
    long[] vector;
    if (update.featureSums() != null) {
      vector = sumsCodec.encode(update.featureSums(), vectorLength());
    } else {
      vector = codec.encode(update.delta(), update.samples(), update.meanLoss(), update.evaluationCounts()).vector();
      vector = vector.length == vectorLength() ? vector : Arrays.copyOf(vector, vectorLength());
    }
    if (masking instanceof Precomputed p) {
      LongVectors.addInPlace(vector, p.masks());
    } else if (masking instanceof Direct d) {
      d.secrets().addMasks(vector, d.peerKeys());
    }
    return vector;
  }

  /** Throws {@link UndecodableSumException} when the sum does not decode (a total out of bounds: garbage in it). */
  public Applied decodeAndApply(long[] sum, ModelState base) {
    try {
      if (scaling.needsStatistics(base.parameters())) {
        FeatureSums sums = sumsCodec.decode(sum, scaling.features());
        ModelState next = ModelState.of(base.round() + 1, scaling.withStatistics(base.parameters(), sums),
            base.optimizerState());
        return new Applied(next, new DecodedSum(new double[0], 0, sums.rows())); // no training loss: nothing trained
      }
      DecodedSum decoded = codec.decode(updatePart(sum), parameterCount);
      return new Applied(optimizer.apply(base, decoded.meanDelta()), decoded);
    } catch (IllegalArgumentException e) {
      throw new UndecodableSumException(e.getMessage(), e);
    }
  }

  /** The update's words of a sum; the words after them must be zero, as every honest member sends them. */
  private long[] updatePart(long[] sum) {
    int length = codec.vectorLength(parameterCount);
    if (sum.length != vectorLength()) {
      throw new IllegalArgumentException("encoded sum has " + sum.length + " elements, expected " + vectorLength());
    }
    for (int j = length; j < sum.length; j++) {
      if (sum[j] != 0) {
        throw new IllegalArgumentException("word " + j + " after the update is " + sum[j] + ", not 0: the vector"
            + " is not a complete sum of updates or it is corrupt");
      }
    }
    return length == sum.length ? sum : Arrays.copyOf(sum, length);
  }
}
