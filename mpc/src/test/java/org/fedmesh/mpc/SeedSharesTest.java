package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SeedSharesTest {
  private final SecureRandom random = new SecureRandom();

  private byte[] seed() {
    byte[] seed = new byte[SeedShares.SEED_BYTES];
    random.nextBytes(seed);
    return seed;
  }

  /** Every subset of a threshold's size rebuilds the seed; every smaller one gives something else. */
  @ParameterizedTest
  @ValueSource(ints = {3, 4, 5, 8})
  void rebuild_everySubsetOfThresholdSize_givesTheSeed_andSmallerOnesDoNot(int count) {
    byte[] seed = seed();
    int threshold = SeedShares.threshold(count);
    List<SeedShares.Share> shares = SeedShares.split(seed, count, threshold, random);
    assertEquals(count, shares.size());
    for (int mask = 1; mask < (1 << count); mask++) {
      List<SeedShares.Share> subset = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        if ((mask & (1 << i)) != 0) {
          subset.add(shares.get(i));
        }
      }
      if (subset.size() >= threshold) {
        assertArrayEquals(seed, SeedShares.rebuild(subset, threshold), "subset " + Integer.toBinaryString(mask));
      } else if (subset.size() >= 2) {
        // Interpolating too few points gives another polynomial's constant: not the seed (2^-256 odds otherwise).
        assertFalse(Arrays.equals(seed, SeedShares.rebuild(subset, subset.size())),
            "subset " + Integer.toBinaryString(mask));
      }
    }
  }

  @Test
  void rebuild_fewerDistinctSharesThanTheThreshold_isRefused() {
    List<SeedShares.Share> shares = SeedShares.split(seed(), 5, 3, random);
    List<SeedShares.Share> twiceTheSame = List.of(shares.get(0), shares.get(0), shares.get(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SeedShares.rebuild(twiceTheSame, 3));
    assertEquals("rebuilding a seed needs 3 distinct shares, got 2", e.getMessage());
  }

  @Test
  void split_sharesOfTwoSplitsOfOneSeed_differ() {
    byte[] seed = seed();
    assertFalse(SeedShares.split(seed, 5, 3, random).equals(SeedShares.split(seed, 5, 3, random)));
  }

  @Test
  void split_moreSharesThanTheLibraryHolds_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> SeedShares.split(seed(), SeedShares.MAX_SHARES + 1, 3, random));
    assertEquals(SeedShares.MAX_SHARES, SeedShares.split(seed(), SeedShares.MAX_SHARES, 17, random).size());
  }
}
