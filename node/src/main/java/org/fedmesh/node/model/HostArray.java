package org.fedmesh.node.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk copies between Java arrays and one contiguous ND4J array (FLOAT or DOUBLE) through a direct
 * buffer over its native memory, with a reusable Java-side mirror: no allocation per call, one
 * memcpy per transfer instead of an op per element.
 */
final class HostArray {

  private final int length;
  private final FloatBuffer floats;
  private final DoubleBuffer doubles;
  private final float[] floatMirror;
  private final double[] doubleMirror;

  HostArray(INDArray array) {
    if (array.isView() || array.offset() != 0 || array.elementWiseStride() != 1) {
      throw new IllegalArgumentException("needs a contiguous array of its own, got a view");
    }
    this.length = (int) array.length();
    if (array.dataType() == DataType.FLOAT) {
      floats = array.data().asNioFloat();
      doubles = null;
      floatMirror = new float[length];
      doubleMirror = null;
    } else if (array.dataType() == DataType.DOUBLE) {
      floats = null;
      doubles = array.data().asNioDouble();
      floatMirror = null;
      doubleMirror = new double[length];
    } else {
      throw new IllegalArgumentException("FLOAT or DOUBLE only, got " + array.dataType());
    }
  }

  int length() {
    return length;
  }

  /** Copies the first {@code n} values from {@code src} into the array. */
  void write(float[] src, int n) {
    if (floats != null) {
      floats.put(0, src, 0, n);
    } else {
      for (int i = 0; i < n; i++) {
        doubleMirror[i] = src[i];
      }
      doubles.put(0, doubleMirror, 0, n);
    }
  }

  void write(double[] src, int n) {
    if (doubles != null) {
      doubles.put(0, src, 0, n);
    } else {
      for (int i = 0; i < n; i++) {
        floatMirror[i] = (float) src[i];
      }
      floats.put(0, floatMirror, 0, n);
    }
  }

  /** Copies the first {@code n} values of the array into {@code dst}. */
  void read(double[] dst, int n) {
    if (doubles != null) {
      doubles.get(0, dst, 0, n);
    } else {
      floats.get(0, floatMirror, 0, n);
      for (int i = 0; i < n; i++) {
        dst[i] = floatMirror[i];
      }
    }
  }

  void read(float[] dst, int n) {
    if (floats != null) {
      floats.get(0, dst, 0, n);
    } else {
      doubles.get(0, doubleMirror, 0, n);
      for (int i = 0; i < n; i++) {
        dst[i] = (float) doubleMirror[i];
      }
    }
  }

  /**
   * Writes {@code count} rows of a row-major feature table, chosen by {@code rows[from..from+count)},
   * each followed by a 1 (the bias input): the array is {@code count x (cols + 1)}.
   */
  void writeRowsWithOnes(float[] features, int cols, int[] rows, int from, int count) {
    int stride = cols + 1;
    if (floats != null) {
      for (int i = 0; i < count; i++) {
        System.arraycopy(features, rows[from + i] * cols, floatMirror, i * stride, cols);
        floatMirror[i * stride + cols] = 1f;
      }
      floats.put(0, floatMirror, 0, count * stride);
    } else {
      for (int i = 0; i < count; i++) {
        int src = rows[from + i] * cols;
        int dst = i * stride;
        for (int c = 0; c < cols; c++) {
          doubleMirror[dst + c] = features[src + c];
        }
        doubleMirror[dst + cols] = 1.0;
      }
      doubles.put(0, doubleMirror, 0, count * stride);
    }
  }
}
