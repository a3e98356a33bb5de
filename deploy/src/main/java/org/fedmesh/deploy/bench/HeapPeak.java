package org.fedmesh.deploy.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The most heap in use while it runs, sampled every few milliseconds (all bench members share this JVM, so it is
 * the whole cluster's heap: vectors, pieces in flight, masks). A sample can miss a peak between two samples.
 */
final class HeapPeak implements AutoCloseable {
  private static final long PERIOD_MILLIS = 5;

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peak = new AtomicLong();
  private final Thread sampler;
  private volatile boolean running = true;

  HeapPeak() {
    sampler = new Thread(this::sample, "heap-peak-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  private void sample() {
    while (running) {
      peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
      try {
        Thread.sleep(PERIOD_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  long bytes() {
    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    return peak.get();
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
