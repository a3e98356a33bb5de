package org.fedmesh.mpc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;

/**
 * Fixed-point encoding of a member's model update into Z_2^64, weighted by its sample count for FedAvg.
 *
 * <p>Layout of an encoded vector for D parameters (length D + 2):
 * {@code [round(n*delta_j*2^f) for j<D, round(n*min(loss, maxLoss)*2^f), n]}. Summing the vectors of all
 * members gives sum(n_i*delta_i), sum(n_i*loss_i) and sum(n_i) in one pass, so the weighted mean needs no
 * separate, unmasked sample-count exchange. A codec {@link #withCountSlots with count slots} appends k plain
 * counts after the sample count (e.g. a member's correct predictions and rows per class on its held-out data),
 * which sum as they are: {@code [..., n, c_1, ..., c_k]}, each count in [0, maxSamples].
 *
 * <p>No-wrap guarantee: every coordinate of one encoding is at most {@link #coordinateBound()} in absolute
 * value, and {@code maxParticipants * coordinateBound() < 2^62}. So the true sum of up to maxParticipants
 * encodings lies in (-2^62, 2^62) and the wrapping sum in Z_2^64, read as a signed long, equals it exactly.
 * 2^62 rather than 2^63 keeps a factor-2 margin, which lets {@link #decode} recognise a vector whose masks
 * did not cancel (its coordinates are uniformly random and almost surely out of range).
 */
public final class WeightedUpdateCodec {

  /** Exclusive bound on |sum of all encodings|, see the class comment. */
  private static final BigInteger NO_WRAP_LIMIT = BigInteger.ONE.shiftLeft(62);
  /** Relative slack for floating-point error in clipping and scaling (far above the few ulps it covers). */
  private static final BigDecimal FLOATING_POINT_SLACK = BigDecimal.ONE.add(BigDecimal.valueOf(Math.scalb(1.0, -40)));
  static final int MIN_FRACTIONAL_BITS = 8;
  static final int MAX_FRACTIONAL_BITS = 40;

  private final double clipNorm;
  private final int fractionalBits;
  private final int maxParticipants;
  private final long maxSamples;
  private final double maxLoss;
  private final double scale;
  private final long coordinateBound;
  private final int countSlots;

  private WeightedUpdateCodec(double clipNorm, int fractionalBits, int maxParticipants, long maxSamples,
      double maxLoss, long coordinateBound, int countSlots) {
    this.countSlots = countSlots;
    this.clipNorm = clipNorm;
    this.fractionalBits = fractionalBits;
    this.maxParticipants = maxParticipants;
    this.maxSamples = maxSamples;
    this.maxLoss = maxLoss;
    this.scale = Math.scalb(1.0, fractionalBits);
    this.coordinateBound = coordinateBound;
  }

  /**
   * @param clipNorm        updates are scaled down to this L2 norm if longer
   * @param fractionalBits  f: fixed-point resolution 2^-f, in [8, 40]
   * @param maxParticipants most members whose encodings will ever be summed
   * @param maxSamples      largest sample count one member may report
   * @param maxLoss         training losses above this are encoded as maxLoss
   * @throws IllegalArgumentException if a parameter is out of range or the sum of maxParticipants largest
   *                                  encodings could reach 2^62 (the message says what to lower)
   */
  public static WeightedUpdateCodec create(double clipNorm, int fractionalBits, int maxParticipants, long maxSamples,
      double maxLoss) {
    if (!(clipNorm > 0) || !Double.isFinite(clipNorm)) {
      throw new IllegalArgumentException("clipNorm must be positive and finite, got " + clipNorm);
    }
    if (fractionalBits < MIN_FRACTIONAL_BITS || fractionalBits > MAX_FRACTIONAL_BITS) {
      throw new IllegalArgumentException("fractionalBits must be in [" + MIN_FRACTIONAL_BITS + ", "
          + MAX_FRACTIONAL_BITS + "], got " + fractionalBits);
    }
    if (maxParticipants < 1) {
      throw new IllegalArgumentException("maxParticipants must be at least 1, got " + maxParticipants);
    }
    if (maxSamples < 1) {
      throw new IllegalArgumentException("maxSamples must be at least 1, got " + maxSamples);
    }
    if (!(maxLoss > 0) || !Double.isFinite(maxLoss)) {
      throw new IllegalArgumentException("maxLoss must be positive and finite, got " + maxLoss);
    }
    long bound = coordinateBound(clipNorm, fractionalBits, maxSamples, maxLoss);
    if (!fitsWithoutWrap(bound, maxParticipants)) {
      throw new IllegalArgumentException(wrapRiskMessage(clipNorm, fractionalBits, maxParticipants, maxSamples,
          maxLoss));
    }
    return new WeightedUpdateCodec(clipNorm, fractionalBits, maxParticipants, maxSamples, maxLoss, bound, 0);
  }

  /**
   * The same codec with {@code slots} counts after the sample count. Counts obey the sample count's bound, so the
   * no-wrap guarantee holds unchanged.
   */
  public WeightedUpdateCodec withCountSlots(int slots) {
    if (slots < 0) {
      throw new IllegalArgumentException("count slots must be at least 0, got " + slots);
    }
    return new WeightedUpdateCodec(clipNorm, fractionalBits, maxParticipants, maxSamples, maxLoss, coordinateBound,
        slots);
  }

  public int countSlots() {
    return countSlots;
  }

  /** Length of an encoded vector for a model with {@code parameterCount} parameters. */
  public int vectorLength(int parameterCount) {
    if (parameterCount < 0 || parameterCount > Integer.MAX_VALUE - 2 - countSlots) {
      throw new IllegalArgumentException("parameterCount out of range: " + parameterCount);
    }
    return parameterCount + 2 + countSlots;
  }

  /**
   * Clips, weights and encodes one update. The caller's array is not modified.
   *
   * @throws InvalidUpdateException for a NaN or infinite coordinate or loss, a negative loss or a sample count
   *                                outside [1, maxSamples]; nothing is produced in that case
   */
  public EncodedUpdate encode(float[] delta, long samples, double loss) {
    return encode(delta, samples, loss, new long[0]);
  }

  /**
   * As {@link #encode(float[], long, double)}, with {@code counts} in the count slots: exactly {@link #countSlots}
   * of them, or none (a member with nothing to count adds zeros).
   */
  public EncodedUpdate encode(float[] delta, long samples, double loss, long[] counts) {
    Objects.requireNonNull(delta, "delta");
    Objects.requireNonNull(counts, "counts");
    if (counts.length != 0 && counts.length != countSlots) {
      throw new InvalidUpdateException(counts.length + " counts for " + countSlots + " count slots");
    }
    for (int k = 0; k < counts.length; k++) {
      if (counts[k] < 0 || counts[k] > maxSamples) {
        throw new InvalidUpdateException("count " + k + " = " + counts[k] + " is outside [0, " + maxSamples
            + "] (maxSamples)");
      }
    }
    if (samples < 1 || samples > maxSamples) {
      throw new InvalidUpdateException(
          "sample count " + samples + " is outside [1, " + maxSamples + "] (maxSamples)");
    }
    if (!Double.isFinite(loss)) {
      throw new InvalidUpdateException("loss is " + loss + "; only finite losses can be aggregated");
    }
    if (loss < 0) {
      throw new InvalidUpdateException("loss " + loss + " is negative");
    }
    double norm = finiteL2Norm(delta);
    boolean clipped = norm > clipNorm;
    double shrink = clipped ? clipNorm / norm : 1.0;
    double weight = samples * scale; // exact: samples < 2^53 and scale is a power of two

    int parameterCount = delta.length;
    long[] vector = new long[vectorLength(parameterCount)];
    for (int j = 0; j < parameterCount; j++) {
      vector[j] = Math.round(delta[j] * shrink * weight);
    }
    vector[parameterCount] = Math.round(Math.min(loss, maxLoss) * weight);
    vector[parameterCount + 1] = samples;
    System.arraycopy(counts, 0, vector, parameterCount + 2, counts.length);
    requireWithinBound(vector);
    return new EncodedUpdate(vector, clipped, norm);
  }

  /** Decodes a complete sum of encodings of any length (at least 2). */
  public DecodedSum decode(long[] sum) {
    Objects.requireNonNull(sum, "sum");
    if (sum.length < 2 + countSlots) {
      throw new IllegalArgumentException("an encoded sum has at least " + (2 + countSlots) + " elements (loss,"
          + " sample count, " + countSlots + " counts), got " + sum.length);
    }
    int parameterCount = sum.length - 2 - countSlots;
    long totalSamples = sum[parameterCount + 1];
    long maxTotalSamples = (long) maxParticipants * maxSamples; // < 2^62, checked in create
    if (totalSamples <= 0 || totalSamples > maxTotalSamples) {
      throw new IllegalArgumentException("total sample count " + totalSamples + " is outside [1, "
          + maxTotalSamples + "]: the vector is not a complete sum of encodings"
          + " (masks of a missing participant did not cancel?) or it is corrupt");
    }
    long sumBound = maxParticipants * coordinateBound; // < 2^62, checked in create
    for (int j = 0; j <= parameterCount; j++) {
      if (sum[j] > sumBound || sum[j] < -sumBound) {
        throw new IllegalArgumentException("sum coordinate " + j + " = " + sum[j]
            + " exceeds the largest possible sum " + sumBound
            + ": masks did not cancel (a participant missing from the sum?) or the vector is corrupt");
      }
    }
    double[] meanDelta = new double[parameterCount];
    for (int j = 0; j < parameterCount; j++) {
      meanDelta[j] = (sum[j] / scale) / totalSamples;
    }
    double meanLoss = (sum[parameterCount] / scale) / totalSamples;
    long[] counts = Arrays.copyOfRange(sum, parameterCount + 2, sum.length);
    for (int k = 0; k < counts.length; k++) {
      if (counts[k] < 0 || counts[k] > maxTotalSamples) {
        throw new IllegalArgumentException("summed count " + k + " = " + counts[k] + " is outside [0, "
            + maxTotalSamples + "]: the vector is not a complete sum of encodings or it is corrupt");
      }
    }
    return new DecodedSum(meanDelta, meanLoss, totalSamples, counts);
  }

  /** Like {@link #decode(long[])}, also refusing a sum whose length does not match the model. */
  public DecodedSum decode(long[] sum, int parameterCount) {
    Objects.requireNonNull(sum, "sum");
    if (sum.length != vectorLength(parameterCount)) {
      throw new IllegalArgumentException("encoded sum has " + sum.length + " elements, expected "
          + vectorLength(parameterCount) + " for " + parameterCount + " parameters");
    }
    return decode(sum);
  }

  public double clipNorm() {
    return clipNorm;
  }

  public int fractionalBits() {
    return fractionalBits;
  }

  public int maxParticipants() {
    return maxParticipants;
  }

  public long maxSamples() {
    return maxSamples;
  }

  public double maxLoss() {
    return maxLoss;
  }

  /** Largest absolute value any coordinate of one encoding may take. */
  public long coordinateBound() {
    return coordinateBound;
  }

  @Override
  public String toString() {
    return "WeightedUpdateCodec[clipNorm=" + clipNorm + ", fractionalBits=" + fractionalBits
        + ", maxParticipants=" + maxParticipants + ", maxSamples=" + maxSamples + ", maxLoss=" + maxLoss
        + ", countSlots=" + countSlots + "]";
  }

  private static double finiteL2Norm(float[] delta) {
    double sumOfSquares = 0;
    for (int j = 0; j < delta.length; j++) {
      float x = delta[j];
      if (!Float.isFinite(x)) {
        throw new InvalidUpdateException("delta[" + j + "] is " + x + "; only finite updates can be aggregated");
      }
      sumOfSquares += (double) x * x; // cannot overflow: (3.4e38)^2 * 2^31 is far below Double.MAX_VALUE
    }
    return Math.sqrt(sumOfSquares);
  }

  /** Defensive: clipping makes this impossible, but the no-wrap guarantee must not rest on float reasoning alone. */
  private void requireWithinBound(long[] vector) {
    for (int j = 0; j < vector.length; j++) {
      if (vector[j] > coordinateBound || vector[j] < -coordinateBound) {
        throw new InvalidUpdateException("encoded coordinate " + j + " = " + vector[j]
            + " exceeds the bound " + coordinateBound + " that keeps the sum from wrapping");
      }
    }
  }

  /** maxSamples * max(clipNorm, maxLoss) * 2^f with slack for rounding, or Long.MAX_VALUE if that overflows. */
  private static long coordinateBound(double clipNorm, int fractionalBits, long maxSamples, double maxLoss) {
    BigDecimal exact = BigDecimal.valueOf(maxSamples)
        .multiply(new BigDecimal(Math.max(clipNorm, maxLoss)))
        .multiply(new BigDecimal(BigInteger.ONE.shiftLeft(fractionalBits)));
    BigInteger bound = exact.multiply(FLOATING_POINT_SLACK).toBigInteger().add(BigInteger.ONE)
        .max(BigInteger.valueOf(maxSamples)); // the sample-count coordinate itself
    return bound.bitLength() < 63 ? bound.longValueExact() : Long.MAX_VALUE;
  }

  private static boolean fitsWithoutWrap(long coordinateBound, int maxParticipants) {
    return BigInteger.valueOf(coordinateBound).multiply(BigInteger.valueOf(maxParticipants))
        .compareTo(NO_WRAP_LIMIT) < 0;
  }

  private static String wrapRiskMessage(double clipNorm, int fractionalBits, int maxParticipants, long maxSamples,
      double maxLoss) {
    double largestSum = maxParticipants * (double) maxSamples * Math.max(clipNorm, maxLoss)
        * Math.scalb(1.0, fractionalBits);
    StringBuilder message = new StringBuilder()
        .append("fixed-point sum could wrap: maxParticipants (").append(maxParticipants)
        .append(") * maxSamples (").append(maxSamples)
        .append(") * max(clipNorm, maxLoss) (max(").append(clipNorm).append(", ").append(maxLoss)
        .append(")) * 2^fractionalBits (2^").append(fractionalBits).append(") = ")
        .append(String.format("%.3e", largestSum))
        .append(" must stay below 2^62 = ").append(String.format("%.3e", Math.scalb(1.0, 62)))
        .append("; ");
    int fittingBits = largestFittingFractionalBits(clipNorm, fractionalBits, maxParticipants, maxSamples, maxLoss);
    if (fittingBits >= MIN_FRACTIONAL_BITS) {
      message.append("lower fractionalBits to ").append(fittingBits).append(" or less, or lower ");
    } else {
      message.append("even fractionalBits = ").append(MIN_FRACTIONAL_BITS).append(" is too many; lower ");
    }
    return message.append("maxSamples, clipNorm, maxLoss or maxParticipants").toString();
  }

  private static int largestFittingFractionalBits(double clipNorm, int tooMany, int maxParticipants, long maxSamples,
      double maxLoss) {
    for (int bits = tooMany - 1; bits >= MIN_FRACTIONAL_BITS; bits--) {
      if (fitsWithoutWrap(coordinateBound(clipNorm, bits, maxSamples, maxLoss), maxParticipants)) {
        return bits;
      }
    }
    return MIN_FRACTIONAL_BITS - 1;
  }
}
