package org.fedmesh.mpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Unambiguous byte encoding for signed payloads and KDF info strings: integers at fixed width (big-endian),
 * byte strings and UTF-8 strings prefixed by their 4-byte length, so no two field sequences encode alike.
 * Public so that modules that know the message types (node) can build the statements a {@link ControlSeal}
 * signs with the same encoding as every other signed payload.
 */
public final class CanonicalBytes {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public CanonicalBytes putLong(long value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (value >>> shift));
    }
    return this;
  }

  public CanonicalBytes putInt(int value) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.write(value >>> shift);
    }
    return this;
  }

  public CanonicalBytes putBytes(byte[] bytes) {
    putInt(bytes.length);
    out.writeBytes(bytes);
    return this;
  }

  public CanonicalBytes putString(String text) {
    return putBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  public CanonicalBytes putBoolean(boolean value) {
    out.write(value ? 1 : 0);
    return this;
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }
}
