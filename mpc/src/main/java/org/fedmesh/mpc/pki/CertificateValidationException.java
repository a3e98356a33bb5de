package org.fedmesh.mpc.pki;

/** A certificate that must not be trusted; the message says whose and why. */
public final class CertificateValidationException extends Exception {

  public CertificateValidationException(String message) {
    super(message);
  }

  public CertificateValidationException(String message, Throwable cause) {
    super(message, cause);
  }
}
