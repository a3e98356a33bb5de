package org.fedmesh.mpc;

import java.util.Objects;

/**
 * Fixed-point encoding of {@link FeatureSums} into Z_2^64 for the secure sum, so that members can agree on feature
 * statistics without anyone seeing a member's own.
 *
 * <p>Feature values have no bound known in advance (a pixel, a blood count, an income), so one 64-bit word with a
 * fixed number of fractional bits would either lose small features' precision or wrap on large ones. Each sum is
 * therefore {@code v = round(s * 2^24)} split into two words, {@code v = hi * 2^32 + lo} with {@code lo} in [0,
 * 2^32]: the low words of up to maxParticipants members sum without wrapping, and the high words are bounded so
 * that their sum does not wrap either. That gives sums up to about 2^62 / maxParticipants * 2^8 (1e17 for 32
 * members) at a resolution of 2^-24.
 *
 * <p>Layout, 1 + 4F words for F features: {@code [rows, (hi, lo) of each feature's sum, (hi, lo) of each feature's
 * sum of squares]}, then zeros up to the vector's length. Garbage in a sum is caught by the row count's range, the
 * low words' range and the zero padding: a vector whose masks did not cancel passes all three with a negligible
 * chance.
 */
public final class FeatureSumsCodec {
  /** Resolution 2^-24 of a sum: far below any feature's spread that standardising could use. */
  static final int FRACTIONAL_BITS = 24;
  private static final double SCALE = Math.scalb(1.0, FRACTIONAL_BITS);
  private static final double LOW_WORD = Math.scalb(1.0, 32);
  private static final long NO_WRAP_LIMIT = 1L << 62;

  private final int maxParticipants;
  private final long maxSamples;
  private final long highWordBound;

  private FeatureSumsCodec(int maxParticipants, long maxSamples) {
    this.maxParticipants = maxParticipants;
    this.maxSamples = maxSamples;
    this.highWordBound = NO_WRAP_LIMIT / maxParticipants - 1;
  }

  /** With the same bounds as the consortium's update codec, so that a member's row count obeys the same limit. */
  public static FeatureSumsCodec create(int maxParticipants, long maxSamples) {
    if (maxParticipants < 1 || maxParticipants > 1 << 20) {
      throw new IllegalArgumentException("maxParticipants must be in [1, 2^20], got " + maxParticipants);
    }
    if (maxSamples < 1 || maxSamples > NO_WRAP_LIMIT / maxParticipants) {
      throw new IllegalArgumentException("maxSamples must be in [1, 2^62 / maxParticipants], got " + maxSamples);
    }
    return new FeatureSumsCodec(maxParticipants, maxSamples);
  }

  /** Words the sums of {@code features} features take. */
  public static int slots(int features) {
    return 1 + 4 * features;
  }

  /**
   * One member's sums as a vector of {@code length} words (zeros after the sums).
   *
   * @throws InvalidUpdateException for a row count outside [1, maxSamples], a non-finite sum, a negative sum of
   *                                squares or a sum too large to add up without wrapping (naming the feature)
   */
  public long[] encode(FeatureSums sums, int length) {
    Objects.requireNonNull(sums, "sums");
    int features = sums.features();
    if (length < slots(features)) {
      throw new IllegalArgumentException("the sums of " + features + " features take " + slots(features)
          + " words, the vector has " + length);
    }
    if (sums.rows() < 1 || sums.rows() > maxSamples) {
      throw new InvalidUpdateException("row count " + sums.rows() + " is outside [1, " + maxSamples
          + "] (maxSamples)");
    }
    long[] vector = new long[length];
    vector[0] = sums.rows();
    for (int c = 0; c < features; c++) {
      if (!(sums.sumsOfSquares()[c] >= 0)) {
        throw new InvalidUpdateException("feature " + c + ": sum of squares " + sums.sumsOfSquares()[c]
            + " is not a non-negative number");
      }
      put(vector, 1 + 2 * c, sums.sums()[c], c, "sum");
      put(vector, 1 + 2 * features + 2 * c, sums.sumsOfSquares()[c], c, "sum of squares");
    }
    return vector;
  }

  /**
   * The consortium's sums from the complete sum of every member's encoding.
   *
   * @throws IllegalArgumentException when the vector is not such a sum (masks did not cancel, or a member sent
   *                                  something else than its sums)
   */
  public FeatureSums decode(long[] sum, int features) {
    Objects.requireNonNull(sum, "sum");
    if (sum.length < slots(features)) {
      throw new IllegalArgumentException("a sum of " + features + " features' sums has at least " + slots(features)
          + " words, got " + sum.length);
    }
    long rows = sum[0];
    long maxRows = maxParticipants * maxSamples; // <= 2^62, checked in create
    if (rows < 1 || rows > maxRows) {
      throw new IllegalArgumentException("total row count " + rows + " is outside [1, " + maxRows + "]: the vector"
          + " is not a complete sum of feature sums (masks of a missing participant did not cancel?) or corrupt");
    }
    for (int j = slots(features); j < sum.length; j++) {
      if (sum[j] != 0) {
        throw new IllegalArgumentException("word " + j + " after the feature sums is " + sum[j] + ", not 0: the"
            + " vector is not a complete sum of feature sums or it is corrupt");
      }
    }
    double[] sums = new double[features];
    double[] squares = new double[features];
    for (int c = 0; c < features; c++) {
      sums[c] = get(sum, 1 + 2 * c, c, "sum");
      squares[c] = get(sum, 1 + 2 * features + 2 * c, c, "sum of squares");
      if (squares[c] < 0) {
        throw new IllegalArgumentException("feature " + c + "'s summed squares are negative (" + squares[c]
            + "): the vector is not a complete sum of feature sums or it is corrupt");
      }
    }
    return new FeatureSums(rows, sums, squares);
  }

  private void put(long[] vector, int at, double value, int feature, String what) {
    if (!Double.isFinite(value)) {
      throw new InvalidUpdateException("feature " + feature + ": " + what + " is " + value);
    }
    double fixed = Math.rint(value * SCALE);
    double high = Math.floor(fixed / LOW_WORD);
    if (Math.abs(high) > highWordBound) {
      throw new InvalidUpdateException(String.format(java.util.Locale.ROOT, "feature %d: its %s %.4g is too large"
          + " to add up over %d members without wrapping (at most about %.3g); rescale the feature (e.g."
          + " data.scaling = \"divide:C\")", feature, what, value, maxParticipants, highWordBound * LOW_WORD / SCALE));
    }
    vector[at] = (long) high;
    vector[at + 1] = (long) (fixed - high * LOW_WORD); // in [0, 2^32]
  }

  private double get(long[] sum, int at, int feature, String what) {
    long high = sum[at];
    long low = sum[at + 1];
    if (low < 0 || low > maxParticipants * (long) LOW_WORD) {
      throw new IllegalArgumentException("feature " + feature + "'s " + what + ": low word " + low + " is outside"
          + " [0, " + maxParticipants + " * 2^32]: the vector is not a complete sum of feature sums or corrupt");
    }
    return (high * LOW_WORD + low) / SCALE;
  }
}
