package org.fedmesh.mpc;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.fedmesh.mpc.pki.CertificateValidationException;
import org.fedmesh.mpc.pki.CertificateValidator;
import org.fedmesh.mpc.pki.Certificates;
import org.fedmesh.mpc.pki.MemberIdentity;

/**
 * A member's signature over a control message's statement (canonical bytes of the fields a receiver acts on, built
 * by whoever knows the message types), with the signer's certificate: a receiver learns from the consortium CA who
 * sent the message, instead of trusting a node id the sender chose. The signature (RSASSA-PSS, like
 * {@link SignedRoundResult}) covers the label {@value #LABEL}, the signer's node id and the statement.
 *
 * <p>A seal says who stated what, nothing about when: statements must carry what makes them unique (an attempt's
 * random nonce), and receivers must refuse stale ones.
 */
public record ControlSeal(String signerNodeId, byte[] certificateDer, byte[] signature) {

  static final String LABEL = "fedmesh-control-seal-v1";
  private static final String FORMAT = "fedmesh-control-seal-v1";

  public ControlSeal {
    Objects.requireNonNull(signerNodeId, "signerNodeId");
    certificateDer = certificateDer.clone();
    signature = signature.clone();
  }

  /** {@code identity}'s seal over {@code statement}. */
  public static ControlSeal seal(MemberIdentity identity, byte[] statement) {
    byte[] signature = IdentitySignatures.sign(identity.privateKey(), signedPayload(identity.nodeId(), statement));
    try {
      return new ControlSeal(identity.nodeId(), identity.certificate().getEncoded(), signature);
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode the certificate of " + identity.nodeId(), e);
    }
  }

  /**
   * Accepts the seal only if its certificate was issued by {@code caCertificate} and is valid at {@code now}, its CN
   * is the signer node id the seal names, and the signature over {@code statement} verifies with its key.
   *
   * @return the verified signer's node id (its certificate's CN)
   */
  public String verify(byte[] statement, X509Certificate caCertificate, Instant now)
      throws SealVerificationException {
    Objects.requireNonNull(statement, "statement");
    Objects.requireNonNull(caCertificate, "caCertificate");
    X509Certificate certificate;
    try {
      certificate = Certificates.fromDer(certificateDer);
    } catch (CertificateException | RuntimeException e) {
      throw new SealVerificationException(signerNodeId, "malformed certificate: " + e.getMessage(), e);
    }
    try {
      CertificateValidator.validateMember(certificate, caCertificate, now); // foreign CA, expired, not a member
    } catch (CertificateValidationException e) {
      throw new SealVerificationException(signerNodeId, e.getMessage(), e);
    }
    String certifiedName = Certificates.commonName(certificate).orElse(Certificates.describe(certificate));
    if (!certifiedName.equals(signerNodeId)) {
      throw new SealVerificationException(signerNodeId,
          "CN mismatch: it carries the certificate of '" + certifiedName + "', not of '" + signerNodeId + "'");
    }
    boolean valid;
    try {
      valid = IdentitySignatures.verify(certificate.getPublicKey(), signedPayload(signerNodeId, statement),
          signature);
    } catch (GeneralSecurityException e) {
      throw new SealVerificationException(signerNodeId, "its signature cannot be checked: " + e.getMessage(), e);
    }
    if (!valid) {
      throw new SealVerificationException(signerNodeId,
          "bad signature: the message was altered, or another key signed it");
    }
    return certifiedName;
  }

  /** The canonical encoding, the form it travels in and {@link #decode} reads. */
  public byte[] encode() {
    return new CanonicalBytes().putString(FORMAT).putString(signerNodeId).putBytes(certificateDer)
        .putBytes(signature).toByteArray();
  }

  /** @throws IllegalArgumentException when {@code bytes} are not an encoded seal */
  public static ControlSeal decode(byte[] bytes) {
    CanonicalReader in = new CanonicalReader(bytes);
    if (!FORMAT.equals(in.getString())) {
      throw new IllegalArgumentException("not a " + FORMAT);
    }
    ControlSeal seal = new ControlSeal(in.getString(), in.getBytes(), in.getBytes());
    in.end();
    return seal;
  }

  private static byte[] signedPayload(String signerNodeId, byte[] statement) {
    return new CanonicalBytes().putString(LABEL).putString(signerNodeId).putBytes(statement).toByteArray();
  }

  @Override
  public byte[] certificateDer() {
    return certificateDer.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ControlSeal that && signerNodeId.equals(that.signerNodeId)
        && Arrays.equals(certificateDer, that.certificateDer) && Arrays.equals(signature, that.signature);
  }

  @Override
  public int hashCode() {
    return signerNodeId.hashCode() * 31 + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "ControlSeal[by " + signerNodeId + "]";
  }
}
