package org.fedmesh.mpc;

import java.util.Arrays;
import java.util.Objects;

/**
 * This node's mask with one peer: the keystream of {@code seed}, added when this node's id sorts before the
 * peer's and subtracted otherwise, so the pair's two masks cancel in the sum.
 *
 * @param peerId   the other node of the pair
 * @param seed     32-byte secret seed from {@link PairSeeds}; a copy is kept
 * @param subtract whether this side subtracts the keystream
 */
public record PairMask(String peerId, byte[] seed, boolean subtract) {

  public PairMask {
    Objects.requireNonNull(peerId, "peerId");
    seed = Objects.requireNonNull(seed, "seed").clone();
  }

  /** The seed (a copy). */
  @Override
  public byte[] seed() {
    return seed.clone();
  }

  /** Applies this mask to the whole vector. */
  public void applyTo(long[] vector) {
    MaskPrg.add(vector, seed, subtract);
  }

  /** Applies keystream longs {@code streamPosition ..} of this mask to {@code vector[offset .. offset+length)}. */
  public void applyTo(long[] vector, int offset, int length, long streamPosition) {
    MaskPrg.add(vector, offset, length, streamPosition, seed, subtract);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PairMask that && peerId.equals(that.peerId) && Arrays.equals(seed, that.seed)
        && subtract == that.subtract;
  }

  @Override
  public int hashCode() {
    return Objects.hash(peerId, Arrays.hashCode(seed), subtract);
  }

  /** Never prints the seed: it is the pair's secret. */
  @Override
  public String toString() {
    return "PairMask[peerId=" + peerId + ", subtract=" + subtract + "]";
  }
}
