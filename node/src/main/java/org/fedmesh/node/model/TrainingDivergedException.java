package org.fedmesh.node.model;

/**
 * Local training produced a non-finite loss or parameters, typically from a learning rate that is too
 * high. Thrown instead of handing NaN parameters to the secure aggregation, where one bad member
 * would poison the sum of all.
 */
public final class TrainingDivergedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String message) {
    super(message);
  }
}
