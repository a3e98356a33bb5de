package org.fedmesh.node.privacy;

import java.security.SecureRandom;
import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.fedmesh.mpc.MaskPrg;
import org.fedmesh.mpc.PairSeeds;

/**
 * Randomness for privacy noise and record sampling: the AES-256/CTR keystream of the masks ({@link MaskPrg}) under a
 * key drawn from {@link SecureRandom}, never from a configured seed. A seed that another member knows, or can guess,
 * would let it take the noise back out of an update, or know which records a step used. Not thread-safe.
 */
public final class PrivateRandom implements UniformRandomProvider {
  private static final int BUFFER_LONGS = 4096;

  private final byte[] key = new byte[PairSeeds.SEED_BYTES];
  private final long[] buffer = new long[BUFFER_LONGS];
  private final ZigguratSampler.NormalizedGaussian gaussian;
  private long streamPosition;
  private int next = BUFFER_LONGS;

  public PrivateRandom() {
    new SecureRandom().nextBytes(key);
    this.gaussian = ZigguratSampler.NormalizedGaussian.of(this);
  }

  @Override
  public long nextLong() {
    if (next == BUFFER_LONGS) {
      Arrays.fill(buffer, 0);
      MaskPrg.add(buffer, 0, BUFFER_LONGS, streamPosition, key, false);
      streamPosition += BUFFER_LONGS;
      next = 0;
    }
    return buffer[next++];
  }

  /** A standard normal value. */
  public double nextGaussian() {
    return gaussian.sample();
  }
}
