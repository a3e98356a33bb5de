package org.fedmesh.mpc.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A member's long-term identity: its private key, its certificate and the consortium CA certificate.
 * The same three files serve Artery mutual TLS ({@code node.key}, {@code node.crt}, {@code ca.crt}).
 *
 * @param nodeId        the certificate's CN
 * @param privateKey    the member's RSA key; never printed by {@link #toString()}
 * @param certificate   the member certificate, issued by {@code caCertificate}
 * @param caCertificate the consortium CA certificate
 */
public record MemberIdentity(String nodeId, PrivateKey privateKey, X509Certificate certificate,
    X509Certificate caCertificate) {

  public static final String KEY_FILE = "node.key";
  public static final String CERTIFICATE_FILE = "node.crt";
  public static final String CA_FILE = ConsortiumCa.CERTIFICATE_FILE;

  public MemberIdentity {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(caCertificate, "caCertificate");
    String commonName = Certificates.commonName(certificate).orElse(null);
    if (!nodeId.equals(commonName)) {
      throw new IllegalArgumentException("node id '" + nodeId + "' differs from the certificate's CN '"
          + commonName + "'");
    }
  }

  /** Loads {@code node.key}, {@code node.crt} and {@code ca.crt} from one directory. */
  public static MemberIdentity load(Path dir) throws IOException {
    return load(dir.resolve(KEY_FILE), dir.resolve(CERTIFICATE_FILE), dir.resolve(CA_FILE));
  }

  /**
   * Loads and cross-checks the three files: the key must belong to the certificate, and the certificate must
   * be signed by the CA. Validity dates are not checked here (see {@link CertificateValidator}).
   */
  public static MemberIdentity load(Path keyFile, Path certFile, Path caFile) throws IOException {
    PrivateKey privateKey = PemFiles.readPrivateKey(keyFile, "member private key");
    X509Certificate certificate = PemFiles.readCertificate(certFile, "member certificate");
    X509Certificate caCertificate = PemFiles.readCertificate(caFile, "CA certificate");
    if (!KeyTypes.matches(privateKey, certificate.getPublicKey())) {
      throw new IOException("member private key file " + keyFile + " does not belong to the certificate in "
          + certFile);
    }
    try {
      certificate.verify(caCertificate.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IOException("member certificate file " + certFile + " ('" + Certificates.describe(certificate)
          + "') was not issued by the CA in " + caFile + " ('" + Certificates.describe(caCertificate) + "')",
          e);
    }
    String nodeId = Certificates.commonName(certificate)
        .filter(NodeNames::isValid)
        .orElseThrow(() -> new IOException("member certificate file " + certFile + " has subject '"
            + Certificates.describe(certificate) + "' without a single valid node name as CN"));
    return new MemberIdentity(nodeId, privateKey, certificate, caCertificate);
  }

  /** Writes {@code node.key} (0600), {@code node.crt} and {@code ca.crt} into {@code dir}; never overwrites. */
  public void save(Path dir) throws IOException {
    PemFiles.writeAllNew(List.of(
        PemFiles.privateKey(dir.resolve(KEY_FILE), privateKey),
        PemFiles.certificate(dir.resolve(CERTIFICATE_FILE), certificate),
        PemFiles.certificate(dir.resolve(CA_FILE), caCertificate)));
  }

  @Override
  public String toString() {
    return "MemberIdentity[nodeId=" + nodeId + ", certificate=" + Certificates.describe(certificate)
        + ", serial=" + certificate.getSerialNumber().toString(16) + ", expires="
        + certificate.getNotAfter().toInstant() + "]";
  }
}
