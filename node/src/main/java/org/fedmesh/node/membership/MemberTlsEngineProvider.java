package org.fedmesh.node.membership;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.fedmesh.mpc.pki.MemberIdentity;
import scala.Option;

/**
 * Artery's TLS engines for a member (configured as {@code pekko.remote.artery.ssl.ssl-engine-provider}): the
 * member's key and certificate from {@code fedmesh.identity}, client certificates required in both directions, the
 * {@link ConsortiumTrustManager} deciding who is a peer, and after each outbound handshake the peer certificate
 * recorded against the address dialled ({@link PeerCertificates}). Unlike Pekko's RotatingKeysSSLEngineProvider it
 * checks expiry and revocation itself, logs every refusal, and needs no name shared between certificates.
 */
public final class MemberTlsEngineProvider implements SSLEngineProvider {
  private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

  private final MemberTls tls;
  private final ConsortiumTrustManager trust;
  private final SSLContext context;

  /** Pekko instantiates the provider reflectively with the actor system. */
  public MemberTlsEngineProvider(ActorSystem system) {
    this.tls = MemberTls.get(system);
    try {
      MemberIdentity identity = tls.identity();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("member", identity.privateKey(), IN_MEMORY_PASSWORD,
          new Certificate[] {identity.certificate(), identity.caCertificate()});
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, IN_MEMORY_PASSWORD);
      trust = new ConsortiumTrustManager(identity.caCertificate(), tls.revocations(), tls.refusals());
      context = SSLContext.getInstance(tls.settings().protocol());
      context.init(keyManagers.getKeyManagers().clone(), new TrustManager[] {trust}, new SecureRandom());
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot set up mutual TLS: " + e.getMessage(), e);
    }
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    SSLEngine engine = configured(context.createSSLEngine());
    engine.setUseClientMode(false);
    engine.setNeedClientAuth(true);
    return new RefusalLoggingEngine(engine, "an inbound connection", tls.refusals());
  }

  @Override
  public SSLEngine createClientSSLEngine(String hostname, int port) {
    SSLEngine engine = configured(context.createSSLEngine(hostname, port));
    engine.setUseClientMode(true);
    return new RefusalLoggingEngine(engine, "the outbound connection to " + hostname + ":" + port, tls.refusals());
  }

  private SSLEngine configured(SSLEngine engine) {
    engine.setEnabledProtocols(new String[] {tls.settings().protocol()});
    engine.setEnabledCipherSuites(tls.settings().cipherSuites().toArray(String[]::new));
    return engine;
  }

  /**
   * After every handshake, the peer is checked again: a resumed TLS session skips the trust manager, and the peer's
   * certificate may have been revoked (or have expired) since the session was made. Then the certificate that
   * answered at the address dialled is recorded.
   */
  @Override
  public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
    Option<Throwable> refused = recheck(session, "the outbound connection to " + hostname + ":" + session.getPeerPort());
    if (refused.isEmpty()) {
      tls.peers().verified(hostname, session.getPeerPort(), peer(session));
    }
    return refused;
  }

  @Override
  public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
    return recheck(session, "an inbound connection");
  }

  private Option<Throwable> recheck(SSLSession session, String where) {
    try {
      trust.check(peerChain(session), where);
      return Option.empty();
    } catch (SSLPeerUnverifiedException | java.security.cert.CertificateException e) {
      return Option.apply(e);
    }
  }

  private static X509Certificate[] peerChain(SSLSession session) throws SSLPeerUnverifiedException {
    Certificate[] chain = session.getPeerCertificates();
    X509Certificate[] x509 = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      if (!(chain[i] instanceof X509Certificate c)) {
        throw new SSLPeerUnverifiedException("the peer presented a " + chain[i].getType() + " certificate");
      }
      x509[i] = c;
    }
    return x509;
  }

  private static X509Certificate peer(SSLSession session) {
    try {
      return peerChain(session)[0];
    } catch (SSLPeerUnverifiedException e) {
      throw new IllegalStateException("checked a moment ago", e);
    }
  }
}
