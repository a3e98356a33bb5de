package org.fedmesh.node.membership;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.fedmesh.mpc.pki.CertificateValidationException;
import org.fedmesh.mpc.pki.CertificateValidator;
import org.fedmesh.mpc.pki.Certificates;
import org.fedmesh.mpc.pki.IssuedCertificates;
import org.fedmesh.mpc.pki.NodeNames;

/**
 * Accepts a TLS peer (in either direction) only with a member certificate of the consortium CA: issued and signed
 * by it, valid now, an end-entity certificate for a valid node name, and not on the revocation list. Host names are
 * not checked: members are known by certificate, and the {@link MembershipGuard} binds the certificate to the
 * node id a member announces. Each refusal is logged with the reason, within the {@link RefusalLog}'s bounds.
 */
final class ConsortiumTrustManager extends X509ExtendedTrustManager {

  /** A refusal already logged with its reason; the engine does not log it a second time. */
  static final class RefusedPeerException extends CertificateException {
    private static final long serialVersionUID = 1L;

    RefusedPeerException(String message) {
      super(message);
    }
  }

  private final X509Certificate ca;
  private final RevocationWatch revocations;
  private final RefusalLog refusals;

  ConsortiumTrustManager(X509Certificate ca, RevocationWatch revocations, RefusalLog refusals) {
    this.ca = ca;
    this.revocations = revocations;
    this.refusals = refusals;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "an inbound connection");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "the outbound connection to " + engine.getPeerHost() + ":" + engine.getPeerPort());
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "an inbound connection");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "an outbound connection");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, "an inbound connection");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, "an outbound connection");
  }

  /** Tells peers which CA to present a certificate of. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[] {ca};
  }

  /** Refuses (and logs why) unless {@code chain} starts with a current member certificate of the consortium. */
  void check(X509Certificate[] chain, String where) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw refuse("no-certificate|" + where, where, "the peer presented no certificate");
    }
    X509Certificate peer = chain[0];
    String key = fingerprintKey(peer);
    try {
      CertificateValidator.validateMember(peer, ca, Instant.now());
    } catch (CertificateValidationException e) {
      throw refuse(key, where, e.getMessage() + " " + describe(peer));
    }
    if (Certificates.commonName(peer).filter(NodeNames::isValid).isEmpty()) {
      throw refuse(key, where, "the certificate has no valid node name as CN " + describe(peer));
    }
    if (revocations.isRevoked(peer.getSerialNumber())) {
      throw refuse(key, where, "the certificate of '" + Certificates.commonName(peer).orElse("?")
          + "' was revoked by the consortium CA " + describe(peer));
    }
  }

  private RefusedPeerException refuse(String key, String where, String reason) {
    refusals.refuse(key, "Refused TLS peer on " + where + ": " + reason);
    return new RefusedPeerException(reason);
  }

  private static String describe(X509Certificate certificate) {
    return "[subject '" + Certificates.describe(certificate) + "', serial "
        + IssuedCertificates.serialHex(certificate.getSerialNumber()) + ", issuer '"
        + certificate.getIssuerX500Principal().getName() + "']";
  }

  /** Issuer and serial name a certificate uniquely among honest CAs; the encoding hash catches forged duplicates. */
  private static String fingerprintKey(X509Certificate certificate) {
    try {
      return certificate.getIssuerX500Principal().getName() + "|" + certificate.getSerialNumber() + "|"
          + java.util.Arrays.hashCode(certificate.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      return certificate.getIssuerX500Principal().getName() + "|" + certificate.getSerialNumber();
    }
  }
}
