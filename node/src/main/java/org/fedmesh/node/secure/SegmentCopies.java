package org.fedmesh.node.secure;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Segments of an attempt's sum that go from member to member outside the ring, in envelopes of at most
 * {@link #CHUNK_WORDS} words: unmasked segments between survivors when a participant was lost after every one
 * attested. A body is the offset of its first word in the vector, the word count and the words.
 */
final class SegmentCopies {
  /** 64 KiB of words per envelope: well under Artery's frame, with the envelope and its serialization around it. */
  static final int CHUNK_WORDS = 8192;

  private SegmentCopies() {}

  /** The bodies that carry {@code values}, the words of the vector from {@code start} on. */
  static List<byte[]> chunks(int start, long[] values) {
    List<byte[]> bodies = new ArrayList<>();
    for (int from = 0; from < values.length; from += CHUNK_WORDS) {
      int count = Math.min(CHUNK_WORDS, values.length - from);
      ByteBuffer body = ByteBuffer.allocate(8 + 8 * count).putInt(start + from).putInt(count);
      body.asLongBuffer().put(values, from, count);
      bodies.add(body.array());
    }
    return bodies;
  }

  /** The offset a chunk body says it starts at; -1 when the body is too short to say. */
  static int offsetOf(byte[] body) {
    return body.length < 8 ? -1 : ByteBuffer.wrap(body).getInt();
  }

  /** The words {@code [start, end)} of the vector, put together from chunks; each chunk counts once. */
  static final class Assembly {
    private final int start;
    private final long[] values;
    private final Set<Integer> taken = new HashSet<>();
    private int held;

    Assembly(int start, int end) {
      this.start = start;
      this.values = new long[end - start];
    }

    boolean covers(int offset) {
      return offset >= start && offset < start + values.length;
    }

    /** Takes a chunk; why it was refused, if it was (a repeat is taken once and refused after). */
    Optional<String> take(byte[] body) {
      ByteBuffer in = ByteBuffer.wrap(body);
      if (body.length < 8) {
        return Optional.of("a segment chunk of " + body.length + " bytes");
      }
      int offset = in.getInt();
      int count = in.getInt();
      int relative = offset - start;
      if (relative < 0 || relative >= values.length || relative % CHUNK_WORDS != 0
          || count != Math.min(CHUNK_WORDS, values.length - relative) || body.length != 8 + 8 * count) {
        return Optional.of("a segment chunk at word " + offset + " of " + count + " words, which is not one of the"
            + " chunks of words " + start + ".." + (start + values.length));
      }
      if (!taken.add(relative)) {
        return Optional.of("the segment chunk at word " + offset + " again");
      }
      in.asLongBuffer().get(values, relative, count);
      held += count;
      return Optional.empty();
    }

    /** Puts the whole range at once (this member's own copy). */
    void putAll(long[] words) {
      if (words.length != values.length) {
        throw new IllegalArgumentException(words.length + " words for a range of " + values.length);
      }
      System.arraycopy(words, 0, values, 0, words.length);
      for (int relative = 0; relative < values.length; relative += CHUNK_WORDS) {
        taken.add(relative);
      }
      held = values.length;
    }

    boolean complete() {
      return held == values.length;
    }

    int start() {
      return start;
    }

    /** The words; meaningful once {@link #complete()}. */
    long[] values() {
      return values;
    }
  }
}
