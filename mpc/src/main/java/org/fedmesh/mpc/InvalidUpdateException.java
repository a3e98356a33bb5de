package org.fedmesh.mpc;

/** A model update that must not enter the secure sum (non-finite values, sample count or loss out of range). */
public final class InvalidUpdateException extends RuntimeException {

  public InvalidUpdateException(String message) {
    super(message);
  }
}
