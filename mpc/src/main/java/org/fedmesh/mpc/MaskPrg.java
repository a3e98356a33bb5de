package org.fedmesh.mpc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Expands a 32-byte pair seed into a stream of pseudo-random longs and adds it to (or subtracts it from) a vector.
 *
 * <p>The keystream is the JDK's ChaCha20 (RFC 8439) with key = seed, an all-zero 96-bit nonce and block counter 0,
 * read as little-endian longs. The fixed nonce is safe because {@link PairSeeds} makes every seed unique to one
 * pair, round, attempt and nonce, so no (key, nonce) is ever used for two different streams. The cipher is part
 * of the protocol: both ends of a pair must produce the same stream, so it must never depend on the JDK or on a
 * benchmark. ChaCha20 won over AES/CTR on JDK 17 and is intrinsified from JDK 20 on (see COOKBOOK.md).
 */
public final class MaskPrg {

  public static final String CIPHER = "ChaCha20";
  /** Keystream is produced in blocks of this many bytes into one reused buffer: fits L2, amortises calls. */
  static final int BUFFER_BYTES = 64 * 1024;
  private static final int CHACHA_BLOCK_BYTES = 64;
  private static final int LONGS_PER_CHACHA_BLOCK = CHACHA_BLOCK_BYTES / Long.BYTES;
  private static final VarHandle LITTLE_ENDIAN_LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** Cipher input: encrypting zeros yields the bare keystream. Never written to. */
  private static final byte[] ZEROS = new byte[BUFFER_BYTES];

  private MaskPrg() {
  }

  /** Adds (or subtracts) the seed's keystream, from its start, to the whole vector, wrapping. */
  public static void add(long[] vector, byte[] seed, boolean subtract) {
    add(vector, 0, vector.length, 0, seed, subtract);
  }

  /**
   * Adds (or subtracts) keystream longs {@code streamPosition .. streamPosition+length-1} to
   * {@code vector[offset .. offset+length-1]}, wrapping. Lets a vector be masked in independent chunks
   * (e.g. one per core) with exactly the result of masking it whole.
   */
  public static void add(long[] vector, int offset, int length, long streamPosition, byte[] seed,
      boolean subtract) {
    Objects.requireNonNull(vector, "vector");
    Objects.checkFromIndexSize(offset, length, vector.length);
    long blockCounter = streamPosition / LONGS_PER_CHACHA_BLOCK;
    if (streamPosition < 0 || (streamPosition + length) / LONGS_PER_CHACHA_BLOCK >= Integer.MAX_VALUE) {
      throw new IllegalArgumentException("stream position " + streamPosition + " with length " + length
          + " is outside the keystream (2^31 ChaCha20 blocks)");
    }
    Cipher keystream = newChaCha20(seed, (int) blockCounter);
    byte[] buffer = new byte[(int) Math.min(BUFFER_BYTES, Math.max(CHACHA_BLOCK_BYTES, (long) length * Long.BYTES))];
    int skipBytes = (int) (streamPosition % LONGS_PER_CHACHA_BLOCK) * Long.BYTES;
    if (skipBytes > 0) {
      fill(keystream, buffer, skipBytes); // discard the start of the first block
    }
    int longsPerBuffer = buffer.length / Long.BYTES;
    for (int done = 0; done < length; ) {
      int count = Math.min(length - done, longsPerBuffer);
      fill(keystream, buffer, count * Long.BYTES);
      int base = offset + done;
      if (subtract) {
        for (int i = 0; i < count; i++) {
          vector[base + i] -= (long) LITTLE_ENDIAN_LONGS.get(buffer, i * Long.BYTES);
        }
      } else {
        for (int i = 0; i < count; i++) {
          vector[base + i] += (long) LITTLE_ENDIAN_LONGS.get(buffer, i * Long.BYTES);
        }
      }
      done += count;
    }
  }

  /** Runs {@code byteCount} keystream bytes through the cipher, {@code buffer.length} at a time. */
  private static void fill(Cipher cipher, byte[] buffer, long byteCount) {
    try {
      for (long remaining = byteCount; remaining > 0; ) {
        int chunk = (int) Math.min(remaining, buffer.length);
        int produced = cipher.update(ZEROS, 0, chunk, buffer, 0);
        if (produced != chunk) { // a stream cipher returns exactly its input; anything else is a JDK bug
          throw new IllegalStateException(cipher.getAlgorithm() + " produced " + produced
              + " bytes for " + chunk);
        }
        remaining -= chunk;
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(cipher.getAlgorithm() + " keystream failed", e);
    }
  }

  /** A fresh instance per seed: the JDK refuses to re-initialise ChaCha20 with the same key and nonce. */
  private static Cipher newChaCha20(byte[] seed, int blockCounter) {
    Objects.requireNonNull(seed, "seed");
    if (seed.length != PairSeeds.SEED_BYTES) {
      throw new IllegalArgumentException("seed must be " + PairSeeds.SEED_BYTES + " bytes, got " + seed.length);
    }
    try {
      Cipher cipher = Cipher.getInstance(CIPHER);
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, CIPHER),
          new ChaCha20ParameterSpec(new byte[12], blockCounter));
      return cipher;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20 is unavailable in this JDK", e);
    }
  }
}
