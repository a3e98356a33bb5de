package org.fedmesh.node.data;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Seeded randomness for everything that must be reproducible: the same seed gives the same
 * partitions, splits, shuffles and initial weights on every machine and JVM (pure Java generators,
 * no native or thread-shared state).
 */
public final class Seeds {

  private Seeds() {
  }

  /** A fresh generator for one use; generators are cheap, never share one between threads. */
  public static UniformRandomProvider rng(long seed) {
    return RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
  }

  /**
   * A seed for one purpose derived from a base seed, e.g. {@code derive(seed, round, epoch)}, so that
   * neighbouring inputs give unrelated streams.
   */
  public static long derive(long seed, long... parts) {
    long h = mix(seed ^ 0x5DEECE66DL);
    for (long part : parts) {
      h = mix(h + 0x9E3779B97F4A7C15L + part);
    }
    return h;
  }

  /**
   * A standard normal deviate (Marsaglia's polar method). {@code StrictMath} keeps the value
   * bit-identical on every JVM, which sampling libraries using {@code Math.exp} do not promise.
   */
  public static double gaussian(UniformRandomProvider rng) {
    while (true) {
      double u = 2 * rng.nextDouble() - 1;
      double v = 2 * rng.nextDouble() - 1;
      double s = u * u + v * v;
      if (s > 0 && s < 1) {
        return u * StrictMath.sqrt(-2 * StrictMath.log(s) / s);
      }
    }
  }

  /** The SplitMix64 finaliser: a bijection that spreads every input bit over the output. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
