package org.fedmesh.gossip;

import java.util.Arrays;

/**
 * How a vector of {@code length} words is cut for a ring of {@code size} members: into {@code size} contiguous
 * segments as even as possible (some may be empty when the vector is shorter than the ring), and each segment
 * into pieces of at most {@code maxPieceWords}, so that every message fits one frame whatever the model size.
 */
final class RingLayout {
  private final int size;
  private final int length;
  private final int[] pieceStarts;
  private final int[] pieceLengths;
  private final int[] pieceSegments;

  RingLayout(int size, int length, int maxPieceWords) {
    if (size < 1 || length < 0 || maxPieceWords < 1) {
      throw new IllegalArgumentException("bad ring layout: size " + size + ", length " + length + ", piece "
          + maxPieceWords);
    }
    this.size = size;
    this.length = length;
    int pieces = 0;
    for (int k = 0; k < size; k++) {
      pieces += ceilDiv(segmentEnd(k, length) - segmentStart(k, length), maxPieceWords);
    }
    pieceStarts = new int[pieces];
    pieceLengths = new int[pieces];
    pieceSegments = new int[pieces];
    int p = 0;
    for (int k = 0; k < size; k++) {
      int end = segmentEnd(k, length);
      for (int start = segmentStart(k, length); start < end; start += maxPieceWords) {
        pieceStarts[p] = start;
        pieceLengths[p] = Math.min(maxPieceWords, end - start);
        pieceSegments[p] = k;
        p++;
      }
    }
  }

  private int segmentStart(int k, int length) {
    return boundary(k, size, length);
  }

  private int segmentEnd(int k, int length) {
    return boundary(k + 1, size, length);
  }

  /** Where segment {@code k} of a ring of {@code size} starts in a vector of {@code length} words. */
  static int boundary(int k, int size, int length) {
    return (int) ((long) k * length / size);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** Where segment {@code k} starts: segments are contiguous, in ring order. */
  int segmentStart(int k) {
    return segmentStart(k, length);
  }

  int segmentEnd(int k) {
    return segmentEnd(k, length);
  }

  int pieces() {
    return pieceStarts.length;
  }

  int start(int piece) {
    return pieceStarts[piece];
  }

  int length(int piece) {
    return pieceLengths[piece];
  }

  int segment(int piece) {
    return pieceSegments[piece];
  }

  /** The piece that starts at {@code offset}, or -1 when no piece starts there. */
  int pieceAt(int offset) {
    int p = Arrays.binarySearch(pieceStarts, offset);
    return p >= 0 ? p : -1;
  }

  /** Number of pieces outside segment {@code k}: what a member receives in one phase. */
  int piecesOutside(int k) {
    int count = 0;
    for (int segment : pieceSegments) {
      if (segment != k) {
        count++;
      }
    }
    return count;
  }

  int size() {
    return size;
  }
}
