package org.fedmesh.node.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Buffers kept per batch size, the most recently used few: a training batch, an epoch's last batch and evaluation
 * each have their own, and an evicted one is closed (its native memory freed) at once.
 */
final class BatchSizeCache<B> {
  private static final int KEPT = 3;

  private final Consumer<B> close;
  private final Map<Integer, B> buffers = new LinkedHashMap<>(8, 0.75f, true);

  BatchSizeCache(Consumer<B> close) {
    this.close = close;
  }

  /** The buffers for {@code count} rows, made by {@code create} when there are none. */
  B get(int count, IntFunction<B> create) {
    B b = buffers.get(count);
    if (b == null) {
      b = create.apply(count);
      buffers.put(count, b);
      if (buffers.size() > KEPT) {
        Map.Entry<Integer, B> eldest = buffers.entrySet().iterator().next();
        close.accept(eldest.getValue());
        buffers.remove(eldest.getKey());
      }
    }
    return b;
  }

  void clear() {
    buffers.values().forEach(close);
    buffers.clear();
  }
}
