package org.fedmesh.gossip;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.fedmesh.protocols.AllReduceProtocol.Chunk;
import org.fedmesh.protocols.AllReduceProtocol.Phase;
import org.fedmesh.protocols.AttemptId;

/**
 * HMAC-SHA256 over every field of a ring piece, under the key of one direction of one link of one attempt. The
 * JDK's: it uses the CPU's SHA extensions, 0.8-1.6 GB/s on one core here (JDK 25, 2026-11-27), where Bouncy Castle's
 * pure-Java HMac over SHA256Digest managed 0.1-0.16 GB/s on the same pieces. The fields go in at fixed width, the values
 * with their count first, so no two pieces encode alike. Not thread-safe: one instance per link, used by one actor.
 */
final class PieceMac {
  static final String ALGORITHM = "HmacSHA256";
  static final int TAG_BYTES = 32;
  private static final int HEADER_BYTES = 8 + 4 + 8 + 8 + 1 + 4 + 4 + 4 + 4;

  private final Mac mac;
  private ByteBuffer scratch = ByteBuffer.allocate(0);

  PieceMac(byte[] key) {
    if (key.length < 16) {
      throw new IllegalArgumentException("a ring MAC key needs at least 16 bytes, got " + key.length);
    }
    try {
      mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no " + ALGORITHM, e);
    }
  }

  byte[] tag(AttemptId attempt, Phase phase, int step, int senderIndex, int offset, long[] values) {
    ByteBuffer buffer = encode(attempt, phase, step, senderIndex, offset, values);
    mac.update(buffer.array(), 0, buffer.limit());
    return mac.doFinal();
  }

  /** In constant time, so that timing tells a forger nothing about how close a guess came. */
  boolean verifies(Chunk chunk) {
    byte[] expected = tag(chunk.attempt(), chunk.phase(), chunk.step(), chunk.senderIndex(), chunk.offset(),
        chunk.values());
    return MessageDigest.isEqual(expected, chunk.mac());
  }

  private ByteBuffer encode(AttemptId attempt, Phase phase, int step, int senderIndex, int offset, long[] values) {
    int size = HEADER_BYTES + 8 * values.length;
    if (scratch.capacity() < size) {
      scratch = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer b = scratch;
    b.clear();
    b.putLong(attempt.round()).putInt(attempt.attempt()).putLong(attempt.nonceHigh()).putLong(attempt.nonceLow());
    b.put((byte) phase.ordinal()).putInt(step).putInt(senderIndex).putInt(offset).putInt(values.length);
    b.asLongBuffer().put(values);
    b.position(b.position() + 8 * values.length);
    b.flip();
    return b;
  }
}
