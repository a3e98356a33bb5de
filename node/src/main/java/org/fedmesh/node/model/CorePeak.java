package org.fedmesh.node.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What one core can do here: the single-precision GFLOP/s of a large matrix product through ND4J's BLAS on the
 * current native thread limit. Training figures are quoted as a fraction of it: the arithmetic a model needs
 * cannot run faster than the best-tuned kernel this machine has.
 */
public final class CorePeak {
  private static final int SIZE = 1024;

  private CorePeak() {
  }

  /** Best of five 1024x1024x1024 float products, after one warm-up. */
  public static double sgemmGflops() {
    INDArray a = Nd4j.rand(DataType.FLOAT, SIZE, SIZE);
    INDArray b = Nd4j.rand(DataType.FLOAT, SIZE, SIZE);
    INDArray c = Nd4j.create(DataType.FLOAT, SIZE, SIZE);
    Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    double best = 0;
    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
      double seconds = (System.nanoTime() - start) / 1e9;
      best = Math.max(best, 2.0 * SIZE * SIZE * SIZE / seconds / 1e9);
    }
    return best;
  }
}
