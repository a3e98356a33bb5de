package org.fedmesh.mpc;

import java.util.Arrays;

/**
 * The sample-weighted mean recovered from the exact sum of all members' encoded updates.
 *
 * @param meanDelta    sum_i(n_i * delta_i) / sum_i(n_i), per coordinate
 * @param meanLoss     sum_i(n_i * loss_i) / sum_i(n_i)
 * @param totalSamples sum_i(n_i)
 */
public record DecodedSum(double[] meanDelta, double meanLoss, long totalSamples) {

  @Override
  public boolean equals(Object other) {
    return other instanceof DecodedSum that
        && Arrays.equals(meanDelta, that.meanDelta)
        && Double.compare(meanLoss, that.meanLoss) == 0
        && totalSamples == that.totalSamples;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(meanDelta) + Double.hashCode(meanLoss)) + Long.hashCode(totalSamples);
  }

  @Override
  public String toString() {
    return "DecodedSum[meanDelta=double[" + meanDelta.length + "], meanLoss=" + meanLoss
        + ", totalSamples=" + totalSamples + "]";
  }
}
