package org.fedmesh.mpc;

import java.util.Arrays;

/**
 * One member's update encoded into Z_2^64 by {@link WeightedUpdateCodec#encode}.
 *
 * @param vector       {@code [round(n*delta_j*2^f) for j<D, round(n*loss*2^f), n]}; owned by the caller from here on
 * @param clipped      whether the update's L2 norm exceeded the clip norm and was scaled down
 * @param originalNorm L2 norm of the update before clipping, for logging and monitoring
 */
public record EncodedUpdate(long[] vector, boolean clipped, double originalNorm) {

  @Override
  public boolean equals(Object other) {
    return other instanceof EncodedUpdate that
        && Arrays.equals(vector, that.vector)
        && clipped == that.clipped
        && Double.compare(originalNorm, that.originalNorm) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(vector) + Boolean.hashCode(clipped)) + Double.hashCode(originalNorm);
  }

  @Override
  public String toString() {
    return "EncodedUpdate[vector=long[" + vector.length + "], clipped=" + clipped
        + ", originalNorm=" + originalNorm + "]";
  }
}
