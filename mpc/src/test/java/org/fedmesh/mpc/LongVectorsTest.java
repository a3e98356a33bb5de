package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LongVectorsTest {

  @Test
  void addInPlace_overflowingValues_wrapModulo2To64() {
    long[] acc = {Long.MAX_VALUE, -1, 5};
    LongVectors.addInPlace(acc, new long[] {1, 1, -7});
    assertArrayEquals(new long[] {Long.MIN_VALUE, 0, -2}, acc);
  }

  @Test
  void subtractInPlace_underflowingValues_wrapModulo2To64() {
    long[] acc = {Long.MIN_VALUE, 0, 3};
    LongVectors.subtractInPlace(acc, new long[] {1, 1, 3});
    assertArrayEquals(new long[] {Long.MAX_VALUE, -1, 0}, acc);
  }

  @Test
  void addThenSubtract_randomVectors_restoreOriginal() {
    java.util.Random random = new java.util.Random(1);
    long[] original = random.longs(100).toArray();
    long[] x = random.longs(100).toArray();
    long[] acc = original.clone();
    LongVectors.addInPlace(acc, x);
    LongVectors.subtractInPlace(acc, x);
    assertArrayEquals(original, acc);
  }

  @Test
  void addInPlace_range_touchesOnlyTheRange() {
    long[] acc = {1, 2, 3, 4, 5};
    LongVectors.addInPlace(acc, 1, new long[] {100, 10, 20, 100}, 1, 2);
    assertArrayEquals(new long[] {1, 12, 23, 4, 5}, acc);
  }

  @Test
  void subtractInPlace_range_touchesOnlyTheRange() {
    long[] acc = {1, 2, 3, 4, 5};
    LongVectors.subtractInPlace(acc, 3, new long[] {1, 1}, 0, 2);
    assertArrayEquals(new long[] {1, 2, 3, 3, 4}, acc);
  }

  @Test
  void addInPlace_lengthMismatch_refused() {
    assertThrows(IllegalArgumentException.class, () -> LongVectors.addInPlace(new long[2], new long[3]));
    assertThrows(IllegalArgumentException.class, () -> LongVectors.subtractInPlace(new long[3], new long[2]));
  }

  @Test
  void addInPlace_rangeOutOfBounds_refused() {
    assertThrows(IndexOutOfBoundsException.class,
        () -> LongVectors.addInPlace(new long[4], 3, new long[4], 0, 2));
    assertThrows(IndexOutOfBoundsException.class,
        () -> LongVectors.subtractInPlace(new long[4], 0, new long[4], -1, 2));
  }
}
