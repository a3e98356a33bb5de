package org.fedmesh.deploy.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The most heap in use while it runs, sampled every few milliseconds (all bench members share this JVM, so it is
 * the whole cluster's heap: vectors, pieces in flight, masks). {@link #bytes()} counts garbage not yet collected
 * too, so it grows toward -Xmx whatever the work needs; {@link #afterGcBytes()}, the most heap still in use right
 * after a collection, is closer to what the work holds. A sample can miss a peak between two samples.
 */
final class HeapPeak implements AutoCloseable {
  private static final long PERIOD_MILLIS = 5;

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null).toList();
  private final AtomicLong peak = new AtomicLong();
  private final AtomicLong afterGcPeak = new AtomicLong();
  private final Thread sampler;
  private volatile boolean running = true;

  /** Collects first, so that what earlier work left behind does not count. */
  HeapPeak() {
    System.gc();
    sampler = new Thread(this::sample, "heap-peak-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  private void sample() {
    while (running) {
      take();
      try {
        Thread.sleep(PERIOD_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void take() {
    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    long afterGc = 0;
    for (MemoryPoolMXBean pool : heapPools) {
      MemoryUsage usage = pool.getCollectionUsage();
      afterGc += usage == null ? 0 : usage.getUsed();
    }
    afterGcPeak.accumulateAndGet(afterGc, Math::max);
  }

  long bytes() {
    take();
    return peak.get();
  }

  long afterGcBytes() {
    take();
    return afterGcPeak.get();
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
