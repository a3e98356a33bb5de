package org.fedmesh.mpc;

/** A signed ephemeral key that must not be used; the message names the node and the reason. */
public final class KeyVerificationException extends Exception {

  private final String nodeId;
  private final String reason;

  public KeyVerificationException(String nodeId, String reason) {
    this(nodeId, reason, null);
  }

  public KeyVerificationException(String nodeId, String reason, Throwable cause) {
    super("ephemeral key of node '" + nodeId + "' refused: " + reason, cause);
    this.nodeId = nodeId;
    this.reason = reason;
  }

  /** The node the key was expected from. */
  public String nodeId() {
    return nodeId;
  }

  public String reason() {
    return reason;
  }
}
