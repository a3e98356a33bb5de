package org.fedmesh.mpc;

/** A {@link ControlSeal} that must not be trusted; the message names the signer it claims and the reason. */
public final class SealVerificationException extends Exception {

  private final String claimedSigner;
  private final String reason;

  public SealVerificationException(String claimedSigner, String reason) {
    this(claimedSigner, reason, null);
  }

  public SealVerificationException(String claimedSigner, String reason, Throwable cause) {
    super("seal claiming signer '" + claimedSigner + "' refused: " + reason, cause);
    this.claimedSigner = claimedSigner;
    this.reason = reason;
  }

  /** The node the seal names as its signer; not verified (that is what failed). */
  public String claimedSigner() {
    return claimedSigner;
  }

  public String reason() {
    return reason;
  }
}
