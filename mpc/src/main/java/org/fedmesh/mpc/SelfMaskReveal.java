package org.fedmesh.mpc;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a participant reveals once every participant has attested that it holds the attempt's masked sum: its own
 * self-mask seed, and the share it holds of every other participant's seed, by that participant's node id. The
 * shares let the others rebuild the seed of a member lost after attesting; once all attested, the sum is meant to
 * be known, so revealing any seed is safe.
 */
public record SelfMaskReveal(byte[] seed, Map<String, SeedShares.Share> shares) {

  public SelfMaskReveal {
    Objects.requireNonNull(seed, "seed");
    if (seed.length != SeedShares.SEED_BYTES) {
      throw new IllegalArgumentException("a seed has " + SeedShares.SEED_BYTES + " bytes, got " + seed.length);
    }
    seed = seed.clone();
    shares = Map.copyOf(shares);
  }

  @Override
  public byte[] seed() {
    return seed.clone();
  }

  /** Label of {@link #commitment}: a commitment to a seed is never a hash of anything else. */
  static final String COMMITMENT_LABEL = "fedmesh-self-mask-seed-v1";
  private static final String SHARE_COMMITMENT_LABEL = "fedmesh-seed-share-commitment-v1";
  public static final int COMMITMENT_BYTES = 32;

  /**
   * SHA-256 over a label, the owner, the attempt and the seed: published in the owner's signed key advert before
   * anyone could need it, so that a revealed or rebuilt seed can be checked (a wrong one is refused and names its
   * owner's reveal, not the sum). Hiding, since a seed is 32 random bytes; binding, as SHA-256 is.
   */
  public static byte[] commitment(String owner, long round, int attempt, byte[] nonce, byte[] seed) {
    byte[] input = new CanonicalBytes().putString(COMMITMENT_LABEL).putString(owner).putLong(round)
        .putInt(attempt).putBytes(nonce).putBytes(seed).toByteArray();
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(input);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /**
   * SHA-256 over a label of its own, the owner, the attempt, the share's index and value: one per share, published
   * after the seed's commitment in the owner's signed key, so that a share can be checked on its own when it is dealt
   * and when it is revealed. Hiding, since a share is 32 bytes that fewer than the threshold know; binding.
   */
  public static byte[] shareCommitment(String owner, long round, int attempt, byte[] nonce, SeedShares.Share share) {
    byte[] input = new CanonicalBytes().putString(SHARE_COMMITMENT_LABEL).putString(owner).putLong(round)
        .putInt(attempt).putBytes(nonce).putInt(share.index()).putBytes(share.value()).toByteArray();
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(input);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /**
   * What the owner's signed key commits to: the seed's commitment, then each share's in share order
   * ({@link #COMMITMENT_BYTES} bytes each).
   */
  public static byte[] dealing(String owner, long round, int attempt, byte[] nonce, byte[] seed,
                               List<SeedShares.Share> shares) {
    byte[] out = new byte[COMMITMENT_BYTES * (1 + shares.size())];
    System.arraycopy(commitment(owner, round, attempt, nonce, seed), 0, out, 0, COMMITMENT_BYTES);
    for (int i = 0; i < shares.size(); i++) {
      System.arraycopy(shareCommitment(owner, round, attempt, nonce, shares.get(i)), 0, out,
          COMMITMENT_BYTES * (1 + i), COMMITMENT_BYTES);
    }
    return out;
  }

  public byte[] encode() {
    CanonicalBytes out = new CanonicalBytes().putBytes(seed).putInt(shares.size());
    new TreeMap<>(shares).forEach((subject, share) -> out.putString(subject).putBytes(share.encode()));
    return out.toByteArray();
  }

  /** @throws IllegalArgumentException when {@code bytes} is not one encoded reveal */
  public static SelfMaskReveal decode(byte[] bytes) {
    CanonicalReader in = new CanonicalReader(bytes);
    byte[] seed = in.getBytes();
    int count = in.getCount(8);
    Map<String, SeedShares.Share> shares = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      String subject = in.getString();
      if (shares.put(subject, SeedShares.Share.decode(in.getBytes())) != null) {
        throw new IllegalArgumentException("two shares of " + subject + "'s seed");
      }
    }
    in.end();
    return new SelfMaskReveal(seed, shares);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SelfMaskReveal r && Arrays.equals(seed, r.seed) && shares.equals(r.shares);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(seed) + shares.hashCode();
  }

  @Override
  public String toString() {
    return "SelfMaskReveal[seed …, shares of " + new TreeMap<>(shares).keySet() + "]";
  }
}
