package org.fedmesh.mpc;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads what {@link CanonicalBytes} wrote. Input comes off the wire or from a file, so every length is checked
 * against what is left before anything is allocated: a crafted length cannot exhaust memory.
 */
final class CanonicalReader {

  private final byte[] in;
  private int at;

  CanonicalReader(byte[] in) {
    this.in = in;
  }

  long getLong() {
    require(8);
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (in[at++] & 0xFF);
    }
    return value;
  }

  int getInt() {
    require(4);
    int value = 0;
    for (int i = 0; i < 4; i++) {
      value = (value << 8) | (in[at++] & 0xFF);
    }
    return value;
  }

  /** A count of items that each take at least {@code minBytes}: bounded by what is left. */
  int getCount(int minBytes) {
    int count = getInt();
    if (count < 0 || (long) count * minBytes > in.length - at) {
      throw new IllegalArgumentException("a count of " + count + " does not fit the " + (in.length - at)
          + " bytes left");
    }
    return count;
  }

  byte[] getBytes() {
    int length = getInt();
    if (length < 0) {
      throw new IllegalArgumentException("negative length " + length);
    }
    require(length);
    byte[] out = Arrays.copyOfRange(in, at, at + length);
    at += length;
    return out;
  }

  String getString() {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(getBytes())).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("a string is not UTF-8", e);
    }
  }

  /** Fails unless everything was read: trailing bytes would be content nobody checked. */
  void end() {
    if (at != in.length) {
      throw new IllegalArgumentException((in.length - at) + " unexpected bytes at the end");
    }
  }

  private void require(int bytes) {
    if (bytes > in.length - at) {
      throw new IllegalArgumentException("truncated: " + bytes + " bytes needed at offset " + at + ", "
          + (in.length - at) + " left");
    }
  }
}
