package org.fedmesh.mpc.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * The consortium's certificate revocation list: an X.509 v2 CRL signed by the CA key, written by
 * {@code fedmesh ca revoke} and read by every member. A member refuses TLS peers whose certificate serial is on it.
 * Loading checks that the CA signed it, so a member can take the file from anywhere (a share, a web server).
 */
public final class RevocationList {

  /** The file name in the CA directory. */
  public static final String FILE = "revoked.crl";

  private final X509CRL crl;
  private final BigInteger number;

  RevocationList(X509CRL crl) {
    this.crl = Objects.requireNonNull(crl, "crl");
    this.number = crlNumber(crl);
  }

  /** Reads a PEM (or DER) CRL and checks that {@code ca} issued and signed it. */
  public static RevocationList load(Path file, X509Certificate ca) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    X509CRL crl;
    try {
      crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(
          new java.io.ByteArrayInputStream(derOf(bytes, file)));
    } catch (GeneralSecurityException e) {
      throw new IOException("revocation list " + file + " is not a valid X.509 CRL: " + e.getMessage(), e);
    }
    if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      throw new IOException("revocation list " + file + " was issued by '" + crl.getIssuerX500Principal().getName()
          + "', not by this consortium's CA '" + Certificates.describe(ca) + "'");
    }
    try {
      crl.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IOException("revocation list " + file + " is not signed by this consortium's CA '"
          + Certificates.describe(ca) + "': " + e.getMessage(), e);
    }
    return new RevocationList(crl);
  }

  /** Whether the certificate with this serial is revoked. */
  public boolean isRevoked(BigInteger serial) {
    return crl.getRevokedCertificate(serial) != null;
  }

  /** When the certificate with this serial was revoked, if it is. */
  public Optional<Instant> revokedAt(BigInteger serial) {
    X509CRLEntry entry = crl.getRevokedCertificate(serial);
    return entry == null ? Optional.empty() : Optional.of(entry.getRevocationDate().toInstant());
  }

  /** How many certificates are revoked. */
  public int size() {
    return crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
  }

  /** The CRL number: rises by one with every list the CA writes, so a member can refuse an older list. */
  public BigInteger number() {
    return number;
  }

  public Instant issuedAt() {
    return crl.getThisUpdate().toInstant();
  }

  X509CRL crl() {
    return crl;
  }

  /**
   * Writes the list as PEM, replacing {@code file} atomically (temporary file, then rename): a member reloading it
   * at that moment reads the old list or the new one, never half of one.
   */
  public void save(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(crl);
    }
    Path temporary = Files.createTempFile(parent, ".revoked", ".tmp");
    try {
      Files.writeString(temporary, text.toString(), StandardCharsets.US_ASCII);
      try {
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  @Override
  public String toString() {
    return "RevocationList[number " + number + ", " + size() + " revoked, issued " + issuedAt() + "]";
  }

  private static byte[] derOf(byte[] bytes, Path file) throws IOException {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    if (!text.contains("-----BEGIN")) {
      return bytes; // DER, as openssl crl -outform DER writes
    }
    try (Reader reader = new java.io.StringReader(text); PEMParser parser = new PEMParser(reader)) {
      Object pem = parser.readObject();
      if (pem instanceof X509CRLHolder holder) {
        return holder.getEncoded();
      }
      throw new IOException("revocation list " + file + " holds no X509 CRL");
    }
  }

  private static BigInteger crlNumber(X509CRL crl) {
    byte[] extension = crl.getExtensionValue(Extension.cRLNumber.getId());
    if (extension == null) {
      return BigInteger.ZERO;
    }
    try {
      return ASN1Integer.getInstance(
          org.bouncycastle.asn1.ASN1OctetString.getInstance(extension).getOctets()).getValue();
    } catch (IllegalArgumentException e) {
      return BigInteger.ZERO;
    }
  }
}
