package org.fedmesh.mpc;

import java.util.Arrays;

/**
 * The sample-weighted mean recovered from the exact sum of all members' encoded updates.
 *
 * @param meanDelta    sum_i(n_i * delta_i) / sum_i(n_i), per coordinate
 * @param meanLoss     sum_i(n_i * loss_i) / sum_i(n_i)
 * @param totalSamples sum_i(n_i)
 * @param counts       the count slots summed over members (empty for a codec without them)
 */
public record DecodedSum(double[] meanDelta, double meanLoss, long totalSamples, long[] counts) {

  public DecodedSum(double[] meanDelta, double meanLoss, long totalSamples) {
    this(meanDelta, meanLoss, totalSamples, new long[0]);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DecodedSum that
        && Arrays.equals(meanDelta, that.meanDelta)
        && Double.compare(meanLoss, that.meanLoss) == 0
        && totalSamples == that.totalSamples
        && Arrays.equals(counts, that.counts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * Arrays.hashCode(meanDelta) + Double.hashCode(meanLoss)) + Long.hashCode(totalSamples))
        + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "DecodedSum[meanDelta=double[" + meanDelta.length + "], meanLoss=" + meanLoss
        + ", totalSamples=" + totalSamples + ", counts=" + Arrays.toString(counts) + "]";
  }
}
