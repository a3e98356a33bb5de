package org.fedmesh.node.model;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The size of ND4J's native (OpenMP/OpenBLAS) thread pool, which is process-wide: the one piece of
 * ND4J configuration that local training is sensitive to, since the hand-written model spends its
 * time in matrix products.
 *
 * <p>Measured on 2 vCPUs: one thread per product trains a 784-128-10 MLP at ~65k samples/s; with
 * two, as soon as anything else runs on the machine (another member's trainer in the same JVM, a
 * build), OpenMP's spinning threads fight it and throughput fell to ~3k samples/s. A JVM that hosts
 * several trainers should call {@code limit(1)} once at start-up (or start with
 * {@code OMP_NUM_THREADS=1}) and let the trainers run in parallel instead.
 */
public final class NativeThreads {

  private NativeThreads() {
  }

  /** Threads each ND4J matrix product may use. */
  public static int current() {
    return Nd4j.factory().blas().getMaxThreads();
  }

  /** Sets the process-wide limit; call once at start-up, before training starts. */
  public static void limit(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    Nd4j.factory().blas().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
  }
}
