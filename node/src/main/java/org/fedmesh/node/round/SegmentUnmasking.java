package org.fedmesh.node.round;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.fedmesh.mpc.MaskPrg;

/**
 * Removes the participants' self-masks from this member's summed segment as their seeds become known: its own at
 * once, each peer's when it is revealed or rebuilt, one keystream at a time and in order on the crypto executor.
 * The work so fills the wait for the reveals, and once the last seed is known only its keystream remains.
 */
final class SegmentUnmasking {
  private final int offset;
  private final Executor crypto;
  private final Set<String> removed = new HashSet<>();
  private CompletableFuture<long[]> chain;

  /** {@code values}: the masked words of the segment from word {@code offset}; changed in place. */
  SegmentUnmasking(int offset, long[] values, Executor crypto) {
    this.offset = offset;
    this.crypto = crypto;
    this.chain = CompletableFuture.completedFuture(values);
  }

  /** Schedules the removal of every mask in {@code known} not removed yet; how many are removed or scheduled. */
  int remove(Map<String, byte[]> known) {
    known.forEach((owner, seed) -> {
      if (removed.add(owner)) {
        chain = chain.thenApplyAsync(segment -> {
          MaskPrg.add(segment, 0, segment.length, offset, seed, true);
          return segment;
        }, crypto);
      }
    });
    return removed.size();
  }

  /** The segment's first word in the vector. */
  int offset() {
    return offset;
  }

  /** The segment, once every scheduled removal ran. */
  CompletableFuture<long[]> done() {
    return chain;
  }
}
