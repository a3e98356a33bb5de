package org.fedmesh.mpc;

/**
 * A signed round result or a commit certificate that must not be trusted; the message names the culprit (the
 * signer whose signature failed, when one did) and the reason.
 */
public final class CommitVerificationException extends Exception {

  private final String culprit;
  private final String reason;

  /** {@code culprit}: the node whose signature or certificate is at fault, or null when the whole is. */
  public CommitVerificationException(String culprit, String reason) {
    this(culprit, reason, null);
  }

  public CommitVerificationException(String culprit, String reason, Throwable cause) {
    super(culprit == null ? reason : "signature of node '" + culprit + "' refused: " + reason, cause);
    this.culprit = culprit;
    this.reason = reason;
  }

  /** The node at fault, or null when the certificate as a whole is (too few signers, wrong round). */
  public String culprit() {
    return culprit;
  }

  public String reason() {
    return reason;
  }
}
