package org.fedmesh.protocols;

import java.util.Arrays;

/**
 * Ring all-reduce between the participants of one round attempt: reduce-scatter, then all-gather, each n-1 steps.
 * The vector is cut into n segments, and each segment into pieces small enough for one Artery frame; pieces are
 * forwarded as soon as they arrive, so the steps overlap (pipelining).
 */
public final class AllReduceProtocol {
  private AllReduceProtocol() {}

  /** What a node's ring endpoint accepts. */
  public interface Command {}

  /**
   * Where a piece belongs: the two phases of the ring all-reduce, and, with double masking, a member's own words of
   * the segment it sums, sent back to its ring predecessor, which keeps that segment too ({@code KEEP}).
   */
  public enum Phase { REDUCE_SCATTER, ALL_GATHER, KEEP }

  /** The longest {@link Chunk#mac} a receiver reads (an HMAC-SHA256 tag is 32 bytes). */
  public static final int MAX_MAC_BYTES = 64;

  /**
   * One piece of one segment at one step: {@code values} go at {@code offset} of the whole vector.
   * {@code senderIndex} is the sender's position in the ring, checked by the receiver against its predecessor.
   * {@code mac} authenticates every other field under the key of the sender-to-receiver link of this attempt, so
   * that only the predecessor can make a piece the receiver applies; empty in a plain round (no pair secrets).
   */
  public record Chunk(AttemptId attempt, Phase phase, int step, int senderIndex, int offset, long[] values,
                      byte[] mac) implements Command, VectorMessage {

    public Chunk {
      if (mac.length > MAX_MAC_BYTES) {
        throw new IllegalArgumentException("a MAC of " + mac.length + " bytes is longer than " + MAX_MAC_BYTES);
      }
    }

    /** A piece without a MAC, as sent in a plain round. */
    public Chunk(AttemptId attempt, Phase phase, int step, int senderIndex, int offset, long[] values) {
      this(attempt, phase, step, senderIndex, offset, values, new byte[0]);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Chunk c && attempt.equals(c.attempt) && phase == c.phase && step == c.step
          && senderIndex == c.senderIndex && offset == c.offset && Arrays.equals(values, c.values)
          && Arrays.equals(mac, c.mac);
    }

    @Override
    public int hashCode() {
      return 31 * java.util.Objects.hash(attempt, phase, step, senderIndex, offset) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "Chunk[" + attempt + ", " + phase + " step " + step + ", from " + senderIndex + ", offset " + offset
          + ", " + values.length + " values" + (mac.length == 0 ? ", no MAC" : "") + "]";
    }
  }
}
