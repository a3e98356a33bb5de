package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A reveal and a seed share as they travel, and what the share threshold lets colluders and survivors do. */
class SelfMaskRevealTest {
  private final SecureRandom random = PeerEnvelopeTest.seeded(77L);

  private byte[] seed() {
    byte[] seed = new byte[SeedShares.SEED_BYTES];
    random.nextBytes(seed);
    return seed;
  }

  /** site-a's reveal in a ring of four: its seed, and the share (index 1) it holds of each other seed. */
  private SelfMaskReveal reveal() {
    return new SelfMaskReveal(seed(), Map.of(
        "site-b", SeedShares.split(seed(), 4, 3, random).get(0),
        "site-c", SeedShares.split(seed(), 4, 3, random).get(0),
        "site-d", SeedShares.split(seed(), 4, 3, random).get(0)));
  }

  @Test
  void share_encodeThenDecode_givesTheShare() {
    for (SeedShares.Share share : SeedShares.split(seed(), 5, 4, random)) {
      SeedShares.Share decoded = SeedShares.Share.decode(share.encode());
      assertEquals(share, decoded);
      assertEquals(share.index(), decoded.index());
      assertArrayEquals(share.value(), decoded.value());
    }
  }

  @Test
  void share_decodeOfTruncatedOrTrailingBytes_isRefused() {
    byte[] encoded = SeedShares.split(seed(), 4, 3, random).get(2).encode();
    IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
        () -> SeedShares.Share.decode(Arrays.copyOf(encoded, encoded.length - 1)));
    assertEquals("truncated: 32 bytes needed at offset 8, 31 left", truncated.getMessage());
    IllegalArgumentException trailing = assertThrows(IllegalArgumentException.class,
        () -> SeedShares.Share.decode(Arrays.copyOf(encoded, encoded.length + 2)));
    assertEquals("2 unexpected bytes at the end", trailing.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> SeedShares.Share.decode(new byte[0]));
    assertTrue(empty.getMessage().startsWith("truncated"), empty.getMessage());
  }

  @Test
  void share_decodeOfAnIndexOutsideTheRange_isRefused() {
    byte[] zeroIndex = new CanonicalBytes().putInt(0).putBytes(new byte[SeedShares.SEED_BYTES]).toByteArray();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SeedShares.Share.decode(zeroIndex));
    assertEquals("share index 0 is outside 1.." + SeedShares.MAX_SHARES, e.getMessage());
  }

  @Test
  void reveal_encodeThenDecode_givesTheReveal() {
    SelfMaskReveal reveal = reveal();
    SelfMaskReveal decoded = SelfMaskReveal.decode(reveal.encode());
    assertEquals(reveal, decoded);
    assertEquals(reveal.hashCode(), decoded.hashCode());
    assertArrayEquals(reveal.seed(), decoded.seed());
    assertEquals(reveal.shares(), decoded.shares());
    // The encoding is canonical: the same reveal always encodes alike, whatever its map's order.
    assertArrayEquals(reveal.encode(), decoded.encode());
    // And a reveal with no shares (a ring of one peer's view) round-trips as well.
    SelfMaskReveal bare = new SelfMaskReveal(seed(), Map.of());
    assertEquals(bare, SelfMaskReveal.decode(bare.encode()));
  }

  @Test
  void reveal_ofAnotherSeedOrAnotherShare_isNotEqual() {
    SelfMaskReveal reveal = reveal();
    assertNotEquals(reveal, new SelfMaskReveal(seed(), reveal.shares()));
    Map<String, SeedShares.Share> otherShares = new java.util.HashMap<>(reveal.shares());
    otherShares.put("site-c", SeedShares.split(seed(), 4, 3, random).get(0));
    assertNotEquals(reveal, new SelfMaskReveal(reveal.seed(), otherShares));
  }

  @Test
  void reveal_decodeOfTruncatedBytes_isRefusedWithTheReason() {
    byte[] encoded = reveal().encode();
    IllegalArgumentException lastByte = assertThrows(IllegalArgumentException.class,
        () -> SelfMaskReveal.decode(Arrays.copyOf(encoded, encoded.length - 1)));
    assertTrue(lastByte.getMessage().startsWith("truncated: "), lastByte.getMessage());
    // Cut inside the seed: the seed's length announces more than is left.
    IllegalArgumentException inSeed = assertThrows(IllegalArgumentException.class,
        () -> SelfMaskReveal.decode(Arrays.copyOf(encoded, 20)));
    assertEquals("truncated: 32 bytes needed at offset 4, 16 left", inSeed.getMessage());
    // Cut just after the share count: three shares cannot fit in nothing.
    IllegalArgumentException afterCount = assertThrows(IllegalArgumentException.class,
        () -> SelfMaskReveal.decode(Arrays.copyOf(encoded, 4 + 32 + 4)));
    assertEquals("a count of 3 does not fit the 0 bytes left", afterCount.getMessage());
    // Every proper prefix is refused, none decodes to something else.
    for (int length = 0; length < encoded.length; length++) {
      byte[] prefix = Arrays.copyOf(encoded, length);
      assertThrows(IllegalArgumentException.class, () -> SelfMaskReveal.decode(prefix), "prefix of " + length);
    }
  }

  @Test
  void reveal_decodeOfTrailingBytes_isRefusedWithTheReason() {
    byte[] encoded = reveal().encode();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SelfMaskReveal.decode(Arrays.copyOf(encoded, encoded.length + 1)));
    assertEquals("1 unexpected bytes at the end", e.getMessage());
  }

  @Test
  void reveal_decodeOfTwoSharesForTheSameSubject_isRefusedWithTheReason() {
    List<SeedShares.Share> shares = SeedShares.split(seed(), 4, 3, random);
    byte[] twice = new CanonicalBytes().putBytes(seed()).putInt(2)
        .putString("site-b").putBytes(shares.get(0).encode())
        .putString("site-b").putBytes(shares.get(1).encode())
        .toByteArray();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SelfMaskReveal.decode(twice));
    assertEquals("two shares of site-b's seed", e.getMessage());
    // The same bytes with two subjects decode: only the repeated subject was wrong.
    byte[] distinct = new CanonicalBytes().putBytes(seed()).putInt(2)
        .putString("site-b").putBytes(shares.get(0).encode())
        .putString("site-c").putBytes(shares.get(1).encode())
        .toByteArray();
    assertEquals(2, SelfMaskReveal.decode(distinct).shares().size());
  }

  @Test
  void reveal_decodeOfASeedOfTheWrongLength_isRefused() {
    byte[] shortSeed = new CanonicalBytes().putBytes(new byte[31]).putInt(0).toByteArray();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SelfMaskReveal.decode(shortSeed));
    assertEquals("a seed has 32 bytes, got 31", e.getMessage());
  }

  @Test
  void threshold_isAllButOne_andAtLeastTwo() {
    assertEquals(2, SeedShares.threshold(2));
    assertEquals(2, SeedShares.threshold(3));
    assertEquals(3, SeedShares.threshold(4));
    assertEquals(4, SeedShares.threshold(5));
    assertEquals(7, SeedShares.threshold(8));
  }

  /**
   * Any n - 2 colluding participants hold too few shares: rebuild refuses them, and interpolating them anyway gives
   * something other than the seed. Any n - 1 (the survivors of one lost member) rebuild it.
   */
  @ParameterizedTest
  @ValueSource(ints = {4, 5, 8})
  void threshold_nMinusTwoSharesNeverRebuild_nMinusOneDo(int n) {
    byte[] seed = seed();
    int threshold = SeedShares.threshold(n);
    assertEquals(n - 1, threshold);
    List<SeedShares.Share> shares = SeedShares.split(seed, n, threshold, random);
    int colluding = 0;
    int surviving = 0;
    for (int mask = 0; mask < (1 << n); mask++) {
      List<SeedShares.Share> subset = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if ((mask & (1 << i)) != 0) {
          subset.add(shares.get(i));
        }
      }
      String which = "n=" + n + ", shares " + Integer.toBinaryString(mask);
      if (subset.size() == n - 2) {
        colluding++;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> SeedShares.rebuild(subset, threshold), which);
        assertEquals("rebuilding a seed needs " + (n - 1) + " distinct shares, got " + (n - 2), e.getMessage());
        // Even pretending the threshold were lower, what comes out is not the seed.
        assertFalse(Arrays.equals(seed, SeedShares.rebuild(subset, n - 2)), which);
        // And repeating a share does not make up for the missing one.
        List<SeedShares.Share> padded = new ArrayList<>(subset);
        padded.add(subset.get(0));
        assertThrows(IllegalArgumentException.class, () -> SeedShares.rebuild(padded, threshold), which);
      } else if (subset.size() == n - 1) {
        surviving++;
        assertArrayEquals(seed, SeedShares.rebuild(subset, threshold), which);
      }
    }
    assertEquals(n * (n - 1) / 2, colluding);
    assertEquals(n, surviving);
  }
}
