package org.fedmesh.mpc.pki;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks that a member certificate was issued by the consortium CA and may be used now. Explicit checks run
 * first because each has a message a user can act on; the JDK's PKIX validator runs last as a backstop for
 * everything else RFC 5280 demands (unknown critical extensions, name constraints, algorithm constraints).
 */
public final class CertificateValidator {

  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;

  private CertificateValidator() {
  }

  public static void validateMember(X509Certificate member, X509Certificate ca, Instant now)
      throws CertificateValidationException {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(now, "now");
    validateCa(ca, now);
    String who = "certificate of '" + Certificates.commonName(member).orElse(Certificates.describe(member)) + "'";
    String caName = Certificates.describe(ca);
    if (!member.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      throw new CertificateValidationException(who + " is not from this consortium's CA: it was issued by '"
          + member.getIssuerX500Principal().getName() + "', the CA is '" + caName + "'");
    }
    try {
      member.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateValidationException(who + " is not signed by this consortium's CA '" + caName
          + "' (a CA with the same name but another key?): " + e.getMessage(), e);
    }
    checkValidity(member, who, now);
    if (member.getBasicConstraints() >= 0) {
      throw new CertificateValidationException(who + " is a CA certificate (BasicConstraints CA=true);"
          + " a member needs an end-entity certificate");
    }
    boolean[] keyUsage = member.getKeyUsage();
    if (keyUsage == null || !keyUsage[DIGITAL_SIGNATURE]) {
      throw new CertificateValidationException(who + " lacks the digitalSignature key usage");
    }
    validatePkixPath(member, ca, now, who);
  }

  /** Checks that {@code ca} is a CA certificate that may sign certificates now. */
  public static void validateCa(X509Certificate ca, Instant now) throws CertificateValidationException {
    String who = "CA certificate '" + Certificates.describe(ca) + "'";
    if (ca.getBasicConstraints() < 0) {
      throw new CertificateValidationException(who + " is not a CA certificate (BasicConstraints CA=true missing)");
    }
    boolean[] keyUsage = ca.getKeyUsage();
    if (keyUsage != null && !keyUsage[KEY_CERT_SIGN]) {
      throw new CertificateValidationException(who + " lacks the keyCertSign key usage");
    }
    checkValidity(ca, who, now);
  }

  private static void checkValidity(X509Certificate certificate, String who, Instant now)
      throws CertificateValidationException {
    try {
      certificate.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new CertificateValidationException(who + " expired at " + certificate.getNotAfter().toInstant()
          + " (now " + now + ")", e);
    } catch (CertificateNotYetValidException e) {
      throw new CertificateValidationException(who + " is not valid before "
          + certificate.getNotBefore().toInstant() + " (now " + now + "); check the clocks", e);
    }
  }

  private static void validatePkixPath(X509Certificate member, X509Certificate ca, Instant now, String who)
      throws CertificateValidationException {
    try {
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
      parameters.setRevocationEnabled(false); // revocation: the CA's RevocationList, checked by the TLS layer
      parameters.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(List.of(member)), parameters);
    } catch (GeneralSecurityException e) {
      throw new CertificateValidationException(who + " failed PKIX path validation against '"
          + Certificates.describe(ca) + "': " + e.getMessage(), e);
    }
  }
}
