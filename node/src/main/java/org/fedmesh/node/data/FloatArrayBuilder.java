package org.fedmesh.node.data;

import java.util.Arrays;

/** A growable float array, so that large tables load without boxing every value. */
final class FloatArrayBuilder {

  private float[] values;
  private int size;

  FloatArrayBuilder(int initialCapacity) {
    values = new float[Math.max(16, initialCapacity)];
  }

  void add(float value) {
    if (size == values.length) {
      if (values.length == Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("more than " + size + " values: too large for one array");
      }
      values = Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8, values.length * 2L));
    }
    values[size++] = value;
  }

  int size() {
    return size;
  }

  float[] toArray() {
    return size == values.length ? values : Arrays.copyOf(values, size);
  }
}
