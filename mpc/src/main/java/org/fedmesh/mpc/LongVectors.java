package org.fedmesh.mpc;

import java.util.Objects;

/**
 * Arithmetic on {@code long[]} vectors in Z_2^64. Java's {@code +} and {@code -} on longs wrap modulo 2^64,
 * which is exactly the ring the masks live in, so no overflow checks belong here.
 */
public final class LongVectors {

  private LongVectors() {
  }

  /** {@code acc[i] += x[i]} for every i, wrapping. */
  public static void addInPlace(long[] acc, long[] x) {
    requireSameLength(acc, x);
    addInPlace(acc, 0, x, 0, acc.length);
  }

  /** {@code acc[i] -= x[i]} for every i, wrapping. */
  public static void subtractInPlace(long[] acc, long[] x) {
    requireSameLength(acc, x);
    subtractInPlace(acc, 0, x, 0, acc.length);
  }

  /** {@code acc[accOffset + i] += x[xOffset + i]} for i in [0, length), wrapping. */
  public static void addInPlace(long[] acc, int accOffset, long[] x, int xOffset, int length) {
    Objects.checkFromIndexSize(accOffset, length, acc.length);
    Objects.checkFromIndexSize(xOffset, length, x.length);
    for (int i = 0; i < length; i++) {
      acc[accOffset + i] += x[xOffset + i];
    }
  }

  /** {@code acc[accOffset + i] -= x[xOffset + i]} for i in [0, length), wrapping. */
  public static void subtractInPlace(long[] acc, int accOffset, long[] x, int xOffset, int length) {
    Objects.checkFromIndexSize(accOffset, length, acc.length);
    Objects.checkFromIndexSize(xOffset, length, x.length);
    for (int i = 0; i < length; i++) {
      acc[accOffset + i] -= x[xOffset + i];
    }
  }

  private static void requireSameLength(long[] acc, long[] x) {
    if (acc.length != x.length) {
      throw new IllegalArgumentException(
          "vector lengths differ: accumulator has " + acc.length + " elements, operand " + x.length);
    }
  }
}
