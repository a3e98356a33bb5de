package org.fedmesh.mpc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Expands a 32-byte pair seed into a stream of pseudo-random longs and adds it to (or subtracts it from) a vector.
 *
 * <p>The keystream is AES-256 in counter mode (NIST SP 800-38A) with key = seed and an initial counter block of
 * zero, read as little-endian longs: long {@code p} of the stream is half of counter block {@code p / 2}. The
 * all-zero initial counter is safe because {@link PairSeeds} makes every seed unique to one pair, round, attempt and
 * nonce, so no key ever produces two different streams. The cipher is part of the protocol (both ends of a pair
 * must produce the same stream; {@code SharedSettings.PROTOCOL_VERSION} 6 and up), so it must never depend on the
 * JDK or on a benchmark.
 *
 * <p>Why AES and not ChaCha20 (protocol 5 and before): with AES-NI the JDK's AES/CTR runs at about 15 GB/s on one
 * core here, on JDK 17 as on 25, against ChaCha20's 3.4 GB/s on JDK 25 and 0.47 GB/s on JDK 17; masking a vector
 * so costs about 3x less on JDK 25 and 18x less on JDK 17 (BENCHMARKS.md, "AES masks"). The JDK's intrinsic takes
 * that path only for calls of moderate size: one call over 8 MB ran at 0.39 GB/s, hence the keystream is made
 * {@value #BUFFER_BYTES} bytes at a time.
 */
public final class MaskPrg {

  public static final String CIPHER = "AES/CTR/NoPadding";
  /** Keystream is produced in blocks of this many bytes into one reused buffer: fits L2, amortises calls. */
  static final int BUFFER_BYTES = 64 * 1024;
  private static final int AES_BLOCK_BYTES = 16;
  private static final int LONGS_PER_AES_BLOCK = AES_BLOCK_BYTES / Long.BYTES;
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
    if (streamPosition < 0 || streamPosition > Long.MAX_VALUE - length) {
      throw new IllegalArgumentException("stream position " + streamPosition + " with length " + length
          + " is outside the keystream");
    }
    Cipher keystream = newAesCtr(seed, streamPosition / LONGS_PER_AES_BLOCK);
    byte[] buffer = new byte[(int) Math.min(BUFFER_BYTES, Math.max(AES_BLOCK_BYTES, (long) length * Long.BYTES))];
    int skipBytes = (int) (streamPosition % LONGS_PER_AES_BLOCK) * Long.BYTES;
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

  /** AES-256/CTR under {@code seed}, its counter block starting at {@code blockCounter} (big-endian, 128 bits). */
  private static Cipher newAesCtr(byte[] seed, long blockCounter) {
    Objects.requireNonNull(seed, "seed");
    if (seed.length != PairSeeds.SEED_BYTES) {
      throw new IllegalArgumentException("seed must be " + PairSeeds.SEED_BYTES + " bytes, got " + seed.length);
    }
    byte[] counter = new byte[AES_BLOCK_BYTES];
    for (int i = 0; i < Long.BYTES; i++) {
      counter[AES_BLOCK_BYTES - 1 - i] = (byte) (blockCounter >>> (8 * i));
    }
    try {
      Cipher cipher = Cipher.getInstance(CIPHER);
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(counter));
      return cipher;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CTR is unavailable in this JDK", e);
    }
  }
}
