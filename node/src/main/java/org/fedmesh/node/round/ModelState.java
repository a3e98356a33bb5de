package org.fedmesh.node.round;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The global model as of a committed round: parameters plus the server optimizer's state, and the SHA-256 over
 * both. Every node computes it with the same plain Java arithmetic, so equal hashes mean bit-identical models.
 * Arrays are never modified once a state is built.
 */
public record ModelState(long round, float[] parameters, float[] optimizerState, String hash) {

  public static ModelState of(long round, float[] parameters, float[] optimizerState) {
    return new ModelState(round, parameters, optimizerState, hashOf(parameters, optimizerState));
  }

  /** The hex SHA-256 of the parameters then the optimizer state, as little-endian IEEE 754 floats. */
  public static String hashOf(float[] parameters, float[] optimizerState) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      update(digest, parameters);
      update(digest, optimizerState);
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private static void update(MessageDigest digest, float[] values) {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      if (!buffer.hasRemaining()) {
        digest.update(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      buffer.putFloat(v);
    }
    digest.update(buffer.array(), 0, buffer.position());
  }

  /** Parameters and optimizer state end to end: the form sent to a peer that catches up. */
  public float[] flatten() {
    float[] all = new float[parameters.length + optimizerState.length];
    System.arraycopy(parameters, 0, all, 0, parameters.length);
    System.arraycopy(optimizerState, 0, all, parameters.length, optimizerState.length);
    return all;
  }

  public static ModelState unflatten(long round, float[] all, int parameterCount) {
    float[] parameters = java.util.Arrays.copyOfRange(all, 0, parameterCount);
    float[] state = java.util.Arrays.copyOfRange(all, parameterCount, all.length);
    return of(round, parameters, state);
  }

  public String shortHash() {
    return hash.substring(0, 12);
  }

  @Override
  public String toString() {
    return "model of round " + round + " (" + parameters.length + " parameters, " + shortHash() + ")";
  }
}
