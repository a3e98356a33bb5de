package org.fedmesh.mpc;

import java.util.Arrays;
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
