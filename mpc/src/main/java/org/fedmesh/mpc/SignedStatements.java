package org.fedmesh.mpc;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;
import org.fedmesh.mpc.pki.CertificateValidationException;
import org.fedmesh.mpc.pki.CertificateValidator;
import org.fedmesh.mpc.pki.Certificates;

/**
 * The checks every statement a member signs with its identity key shares ({@link SignedRoundResult},
 * {@link SignedAttestation}): the certificate carried names the signer, the signature over the payload verifies
 * with its key, and, for a member's decision, the certificate was issued by the consortium CA and is valid now.
 */
final class SignedStatements {
  private SignedStatements() {}

  /**
   * Checks the signature against the certificate carried, and that the certificate names {@code nodeId}, without
   * asking who issued it. {@code altered} says what a bad signature means for this kind of statement.
   *
   * @return the signer's certificate
   */
  static X509Certificate checkSignature(String nodeId, byte[] certificateDer, byte[] payload, byte[] signature,
                                        String altered) throws CommitVerificationException {
    X509Certificate certificate;
    try {
      certificate = Certificates.fromDer(certificateDer);
    } catch (CertificateException | RuntimeException e) {
      throw new CommitVerificationException(nodeId, "malformed certificate: " + e.getMessage(), e);
    }
    String certifiedName = Certificates.commonName(certificate).orElse(Certificates.describe(certificate));
    if (!certifiedName.equals(nodeId)) {
      throw new CommitVerificationException(nodeId,
          "it carries the certificate of '" + certifiedName + "', not of '" + nodeId + "'");
    }
    boolean valid;
    try {
      valid = IdentitySignatures.verify(certificate.getPublicKey(), payload, signature);
    } catch (GeneralSecurityException e) {
      throw new CommitVerificationException(nodeId, "its signature cannot be checked: " + e.getMessage(), e);
    }
    if (!valid) {
      throw new CommitVerificationException(nodeId, "bad signature: " + altered + ", or another key signed it");
    }
    return certificate;
  }

  /** {@link #checkSignature}, and the certificate was issued by {@code caCertificate} and is valid at {@code now}. */
  static void verify(String nodeId, byte[] certificateDer, byte[] payload, byte[] signature, String altered,
                     X509Certificate caCertificate, Instant now) throws CommitVerificationException {
    Objects.requireNonNull(caCertificate, "caCertificate");
    X509Certificate certificate = checkSignature(nodeId, certificateDer, payload, signature, altered);
    try {
      CertificateValidator.validateMember(certificate, caCertificate, now);
    } catch (CertificateValidationException e) {
      throw new CommitVerificationException(nodeId, e.getMessage(), e);
    }
  }
}
