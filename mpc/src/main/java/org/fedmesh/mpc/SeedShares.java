package org.fedmesh.mpc;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.crypto.threshold.ShamirSecretSplitter;
import org.bouncycastle.crypto.threshold.ShamirSplitSecret;
import org.bouncycastle.crypto.threshold.ShamirSplitSecretShare;

/**
 * Threshold shares of a member's self-mask seed, for double masking (Bonawitz et al., CCS 2017): Shamir's scheme
 * byte by byte over GF(2^8) (Bouncy Castle's {@link ShamirSecretSplitter}), so that any {@code threshold} of an
 * attempt's participants can rebuild the seed of a member lost after the masked sum formed, and fewer learn nothing
 * about it.
 *
 * <p>Bouncy Castle 1.82 sizes the share array by the secret's length, not the share count (the entries past the
 * count are null); this class hands out only the real shares, and at most {@value #MAX_SHARES} participants can
 * share a seed.
 */
public final class SeedShares {

  public static final int SEED_BYTES = 32;
  /** Bouncy Castle's share array has one entry per secret byte. */
  public static final int MAX_SHARES = SEED_BYTES;

  private static final ShamirSecretSplitter.Algorithm FIELD = ShamirSecretSplitter.Algorithm.AES;
  private static final ShamirSecretSplitter.Mode MODE = ShamirSecretSplitter.Mode.Table;

  /** One share: the polynomial's value at {@code index} (1 .. the share count), one byte per seed byte. */
  public record Share(int index, byte[] value) {
    public Share {
      if (index < 1 || index > MAX_SHARES) {
        throw new IllegalArgumentException("share index " + index + " is outside 1.." + MAX_SHARES);
      }
      if (value.length != SEED_BYTES) {
        throw new IllegalArgumentException("a share has " + SEED_BYTES + " bytes, got " + value.length);
      }
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    /** The share as it travels inside a sealed envelope. */
    public byte[] encode() {
      return new CanonicalBytes().putInt(index).putBytes(value).toByteArray();
    }

    /** @throws IllegalArgumentException when {@code bytes} is not one encoded share */
    public static Share decode(byte[] bytes) {
      CanonicalReader in = new CanonicalReader(bytes);
      Share share = new Share(in.getInt(), in.getBytes());
      in.end();
      return share;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Share s && index == s.index && Arrays.equals(value, s.value);
    }

    @Override
    public int hashCode() {
      return 31 * index + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Share[" + index + "]";
    }
  }

  private SeedShares() {
  }

  /**
   * The fewest shares that rebuild a seed among {@code participants}: all but one of them (at least two). Any n - 2
   * colluding members hold too few to rebuild an honest member's seed on their own; the survivors of one member
   * lost after the masked sum formed hold just enough to rebuild its seed.
   */
  public static int threshold(int participants) {
    return Math.max(2, participants - 1);
  }

  /**
   * Splits {@code seed} into {@code count} shares, any {@code threshold} of which rebuild it; share i (0-based) has
   * index i + 1 and goes to the attempt's participant i.
   */
  public static List<Share> split(byte[] seed, int count, int threshold, SecureRandom random) {
    Objects.requireNonNull(seed, "seed");
    if (seed.length != SEED_BYTES) {
      throw new IllegalArgumentException("a seed has " + SEED_BYTES + " bytes, got " + seed.length);
    }
    if (count < 2 || count > MAX_SHARES) {
      throw new IllegalArgumentException("share count " + count + " is outside 2.." + MAX_SHARES);
    }
    if (threshold < 2 || threshold > count) {
      throw new IllegalArgumentException("threshold " + threshold + " is outside 2.." + count);
    }
    ShamirSplitSecret split = new ShamirSecretSplitter(FIELD, MODE, SEED_BYTES, random).resplit(seed, threshold,
        count);
    ShamirSplitSecretShare[] all = split.getSecretShares();
    List<Share> shares = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      shares.add(new Share(i + 1, encoded(all[i])));
    }
    return List.copyOf(shares);
  }

  /**
   * Rebuilds the seed from {@code shares}, at least {@code threshold} of them with distinct indexes. Shamir's scheme
   * alone cannot tell a wrong share: callers take shares only from authenticated envelopes.
   */
  public static byte[] rebuild(Collection<Share> shares, int threshold) {
    Set<Integer> indexes = new HashSet<>();
    List<ShamirSplitSecretShare> distinct = new ArrayList<>();
    for (Share s : shares) {
      if (indexes.add(s.index())) {
        distinct.add(new ShamirSplitSecretShare(s.value(), s.index()));
      }
    }
    if (distinct.size() < threshold) {
      throw new IllegalArgumentException("rebuilding a seed needs " + threshold + " distinct shares, got "
          + distinct.size());
    }
    try {
      return new ShamirSplitSecret(FIELD, MODE, distinct.toArray(ShamirSplitSecretShare[]::new)).getSecret();
    } catch (IOException e) {
      throw new IllegalStateException("cannot rebuild the seed: " + e.getMessage(), e);
    }
  }

  private static byte[] encoded(ShamirSplitSecretShare share) {
    try {
      return share.getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a share: " + e.getMessage(), e);
    }
  }
}
