package org.fedmesh.protocols;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * One attempt at one round. The 128-bit nonce is fresh for every attempt, so two attempts never share masks,
 * even when a new coordinator reuses an attempt number after failover.
 */
public record AttemptId(long round, int attempt, long nonceHigh, long nonceLow) implements CborSerializable {

  public static AttemptId fresh(long round, int attempt, SecureRandom random) {
    return new AttemptId(round, attempt, random.nextLong(), random.nextLong());
  }

  /** The nonce as 16 big-endian bytes, the form bound into signatures and mask seeds. */
  public byte[] nonce() {
    byte[] out = new byte[16];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (nonceHigh >>> (56 - 8 * i));
      out[8 + i] = (byte) (nonceLow >>> (56 - 8 * i));
    }
    return out;
  }

  @Override
  public String toString() {
    return "round " + round + " attempt " + attempt + " (nonce " + HexFormat.of().formatHex(nonce(), 0, 4) + "…)";
  }
}
