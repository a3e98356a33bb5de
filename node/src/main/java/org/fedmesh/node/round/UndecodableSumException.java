package org.fedmesh.node.round;

/**
 * The ring's sum does not decode: some participant put values into the ring that are not a masked update (every
 * member sees the same sum, so which one cannot be told without seeing the others' updates).
 */
public final class UndecodableSumException extends RuntimeException {
  public UndecodableSumException(String message, Throwable cause) {
    super(message, cause);
  }
}
