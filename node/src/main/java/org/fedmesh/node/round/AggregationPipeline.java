package org.fedmesh.node.round;

import java.util.Map;
import org.fedmesh.mpc.DecodedSum;
import org.fedmesh.mpc.LongVectors;
import org.fedmesh.mpc.WeightedUpdateCodec;
import org.fedmesh.node.secure.AttemptSecrets;

/**
 * A member's arithmetic in one aggregation: encode its update as fixed point, add its masks, and — once the ring
 * has summed every member's vector — decode the sum and apply the server optimizer to the committed model. The
 * attempt session runs it in rounds and {@code bench aggregation} runs the same session, so the benchmark
 * measures this code, not a copy.
 */
public final class AggregationPipeline {
  private final WeightedUpdateCodec codec;
  private final ServerOptimizer optimizer;
  private final int parameterCount;

  public AggregationPipeline(WeightedUpdateCodec codec, ServerOptimizer optimizer, int parameterCount) {
    this.codec = codec;
    this.optimizer = optimizer;
    this.parameterCount = parameterCount;
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
    return codec.vectorLength(parameterCount);
  }

  public int parameterCount() {
    return parameterCount;
  }

  /**
   * The update as this member sends it into the ring. Refuses (throws) NaN, infinities and out-of-bound values
   * before anything leaves the node.
   */
  public long[] encodeMasked(LocalUpdates.LocalUpdate update, Masking masking) {
    long[] vector = codec.encode(update.delta(), update.samples(), update.meanLoss(), update.evaluationCounts())
        .vector();
    if (masking instanceof Precomputed p) {
      LongVectors.addInPlace(vector, p.masks());
    } else if (masking instanceof Direct d) {
      d.secrets().addMasks(vector, d.peerKeys());
    }
    return vector;
  }

  /** Throws {@link UndecodableSumException} when the sum does not decode (a total out of bounds: garbage in it). */
  public Applied decodeAndApply(long[] sum, ModelState base) {
    DecodedSum decoded;
    try {
      decoded = codec.decode(sum, parameterCount);
    } catch (IllegalArgumentException e) {
      throw new UndecodableSumException(e.getMessage(), e);
    }
    return new Applied(optimizer.apply(base, decoded.meanDelta()), decoded);
  }
}
