package org.fedmesh.mpc;

import java.util.Arrays;

/** Times a task the way the benchmark command reports it: warm-up first, then the median of timed runs. */
final class Throughput {

  private Throughput() {
  }

  static double medianBytesPerSecond(long bytesPerRun, int repetitions, Runnable task) {
    for (int i = 0; i < Math.max(3, repetitions); i++) { // let the JIT compile the hot loops
      task.run();
    }
    double[] rates = new double[repetitions];
    for (int i = 0; i < repetitions; i++) {
      long start = System.nanoTime();
      task.run();
      long elapsed = Math.max(1, System.nanoTime() - start);
      rates[i] = bytesPerRun * 1e9 / elapsed;
    }
    Arrays.sort(rates);
    return rates[repetitions / 2];
  }
}
