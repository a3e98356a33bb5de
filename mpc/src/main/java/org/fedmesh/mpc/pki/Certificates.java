package org.fedmesh.mpc.pki;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/** Small helpers to parse certificates and read names out of them. */
public final class Certificates {

  private Certificates() {
  }

  /** Parses a DER-encoded X.509 certificate with the JDK's provider. */
  public static X509Certificate fromDer(byte[] der) throws CertificateException {
    Objects.requireNonNull(der, "der");
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));
  }

  /** The subject's single common name, or empty if it has none or several. */
  public static Optional<String> commonName(X509Certificate certificate) {
    return singleAttribute(certificate, BCStyle.CN);
  }

  /** The subject's single organization name, or empty if it has none or several. */
  public static Optional<String> organization(X509Certificate certificate) {
    return singleAttribute(certificate, BCStyle.O);
  }

  /** A short label for messages: the subject in RFC 2253 form. */
  public static String describe(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }

  private static Optional<String> singleAttribute(X509Certificate certificate, ASN1ObjectIdentifier type) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    RDN[] rdns = subject.getRDNs(type);
    if (rdns.length != 1 || rdns[0].isMultiValued()
        || !(rdns[0].getFirst().getValue() instanceof ASN1String value)) {
      return Optional.empty();
    }
    return Optional.of(value.getString()); // raw value: no RFC 4514 escaping
  }
}
