package org.fedmesh.mpc.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CRLHolder;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds the two kinds of certificate the consortium uses: its self-signed CA and member (end-entity) certs. */
final class CertificateIssuer {

  private static final SecureRandom SERIALS = new SecureRandom();

  private CertificateIssuer() {
  }

  static X509Certificate selfSignedCa(KeyPair keys, X500Name subject, Instant notBefore, Instant notAfter) {
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, randomSerial(),
          Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false,
              extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return sign(builder, keys.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot build the CA certificate", e);
    }
  }

  static X509Certificate member(X509Certificate ca, PrivateKey caKey, X500Name subject, PublicKey memberKey,
      List<GeneralName> subjectAltNames, Instant notBefore, Instant notAfter) {
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, randomSerial(),
          Date.from(notBefore), Date.from(notAfter), subject, memberKey)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(subjectAltNames.toArray(GeneralName[]::new)))
          .addExtension(Extension.subjectKeyIdentifier, false,
              extensions.createSubjectKeyIdentifier(memberKey))
          .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId(ca, extensions));
      return sign(builder, caKey);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot build the member certificate", e);
    }
  }

  /**
   * A CRL signed by the CA: every entry of {@code previous} (their original dates and reasons kept), plus
   * {@code serials} revoked now for {@code reason} (a {@link CRLReason} code), numbered one above {@code previous}.
   */
  static X509CRL revocationList(X509Certificate ca, PrivateKey caKey, X509CRL previous, BigInteger number,
      List<BigInteger> serials, int reason, Instant now) {
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(ca.getSubjectX500Principal(), Date.from(now));
      if (previous != null) {
        builder.addCRL(new JcaX509CRLHolder(previous));
      }
      for (BigInteger serial : serials) {
        if (previous == null || previous.getRevokedCertificate(serial) == null) {
          builder.addCRLEntry(serial, Date.from(now), reason);
        }
      }
      builder.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
      builder.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId(ca, extensions));
      X509CRLHolder signed = builder.build(new JcaContentSignerBuilder(
          KeyTypes.certificateSignatureAlgorithm(caKey)).build(caKey));
      return new JcaX509CRLConverter().getCRL(signed);
    } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build the revocation list", e);
    }
  }

  /** Random, positive, non-zero, 128 bits: unpredictable serials (CA/B Forum asks for at least 64 random bits). */
  static BigInteger randomSerial() {
    BigInteger serial;
    do {
      serial = new BigInteger(128, SERIALS);
    } while (serial.signum() == 0);
    return serial;
  }

  /**
   * The key identifier only (not issuer name and serial), copied from the CA's own SKID so chain builders
   * (OpenSSL) match it, and so it stays valid if the CA certificate is ever re-issued for the same key.
   */
  private static AuthorityKeyIdentifier authorityKeyId(X509Certificate ca, JcaX509ExtensionUtils extensions)
      throws GeneralSecurityException {
    SubjectKeyIdentifier caKeyId =
        SubjectKeyIdentifier.fromExtensions(new JcaX509CertificateHolder(ca).getExtensions());
    return caKeyId != null
        ? new AuthorityKeyIdentifier(caKeyId.getKeyIdentifier())
        : extensions.createAuthorityKeyIdentifier(ca.getPublicKey());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
      throws GeneralSecurityException {
    try {
      byte[] der = builder.build(new JcaContentSignerBuilder(KeyTypes.certificateSignatureAlgorithm(signingKey))
          .build(signingKey)).getEncoded();
      return Certificates.fromDer(der);
    } catch (OperatorCreationException | IOException e) {
      throw new GeneralSecurityException("cannot sign certificate: " + e.getMessage(), e);
    }
  }
}
