package org.fedmesh.gossip;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.fedmesh.protocols.AllReduceProtocol.Chunk;
import org.fedmesh.protocols.AllReduceProtocol.Phase;
import org.fedmesh.protocols.AttemptId;

/**
 * The tag on a ring piece, under the key of one direction of one link of one attempt: ChaCha20-Poly1305 (RFC 8439)
 * with every field of the piece as associated data and nothing to encrypt, i.e. a Poly1305 tag under a one-time key
 * that ChaCha20 derives from the link key and the piece's nonce. The nonce is the piece's place in the schedule
 * (phase, step, offset), which a sender uses once per attempt, and a link key lives for one attempt only: no nonce
 * repeats under a key, as Poly1305 requires. Chosen over HmacSHA256 for speed on a current JDK: on one core here
 * JDK 25 tags 11-14 GB/s this way against 1.3-1.8 GB/s for HmacSHA256. On JDK 17 it is the other way round (0.5-0.7
 * GB/s), but there the ChaCha20 masks are 7x slower too; members are meant to run on JDK 21 or newer (README).
 * The fields go in at fixed width, the values with their count first, so no two pieces encode alike. Not
 * thread-safe: one instance per link, used by one actor.
 */
public final class PieceMac {
  public static final String ALGORITHM = "ChaCha20-Poly1305";
  public static final int TAG_BYTES = 16;
  private static final int NONCE_BYTES = 12;
  private static final int HEADER_BYTES = 8 + 4 + 8 + 8 + 1 + 4 + 4 + 4 + 4;

  private final SecretKeySpec key;
  private ByteBuffer scratch = ByteBuffer.allocate(0);

  public PieceMac(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("a ring MAC key has 32 bytes, got " + key.length);
    }
    this.key = new SecretKeySpec(key, "ChaCha20");
    cipher(); // fails here, not at the first piece, on a JDK without it
  }

  /**
   * A fresh cipher per tag: the JDK refuses to initialise one instance twice with the same key and nonce, even to
   * decrypt, and a forger who repeats a genuine piece's place in the schedule must not make a check throw.
   */
  private static Cipher cipher() {
    try {
      return Cipher.getInstance(ALGORITHM);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no " + ALGORITHM, e);
    }
  }

  public byte[] tag(AttemptId attempt, Phase phase, int step, int senderIndex, int offset, long[] values) {
    ByteBuffer data = encode(attempt, phase, step, senderIndex, offset, values);
    try {
      Cipher cipher = cipher();
      cipher.init(Cipher.ENCRYPT_MODE, key, nonce(phase, step, offset));
      cipher.updateAAD(data.array(), 0, data.limit());
      return cipher.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot tag a ring piece: " + e.getMessage(), e);
    }
  }

  /** Checks the tag; the cipher compares it in constant time, so timing tells a forger nothing. */
  public boolean verifies(Chunk chunk) {
    if (chunk.mac() == null || chunk.mac().length != TAG_BYTES) {
      return false;
    }
    ByteBuffer data = encode(chunk.attempt(), chunk.phase(), chunk.step(), chunk.senderIndex(), chunk.offset(),
        chunk.values());
    try {
      Cipher cipher = cipher();
      cipher.init(Cipher.DECRYPT_MODE, key, nonce(chunk.phase(), chunk.step(), chunk.offset()));
      cipher.updateAAD(data.array(), 0, data.limit());
      cipher.doFinal(chunk.mac());
      return true;
    } catch (AEADBadTagException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot check a ring piece's tag: " + e.getMessage(), e);
    }
  }

  private static IvParameterSpec nonce(Phase phase, int step, int offset) {
    return new IvParameterSpec(ByteBuffer.allocate(NONCE_BYTES).put((byte) phase.ordinal()).putInt(step)
        .putInt(offset).array());
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
