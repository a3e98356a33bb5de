package org.fedmesh.node.privacy;

/** Training once more would spend more epsilon than the configured budget; the member trains no more. */
public final class PrivacyBudgetSpentException extends IllegalStateException {
  public PrivacyBudgetSpentException(String message) {
    super(message);
  }
}
