package org.fedmesh.system;

import com.typesafe.config.Config;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.fedmesh.mpc.pki.MemberIdentity;
import scala.Option;

/**
 * An outsider's TLS for Artery: presents whatever certificate it was given ({@code adversary.identity-dir}, empty
 * = none) and trusts every peer, so that any refusal in a test comes from the member, never from the outsider.
 */
public final class PermissiveTlsEngineProvider implements SSLEngineProvider {
  private static final char[] PASSWORD = "test".toCharArray();
  private final SSLContext context;

  public PermissiveTlsEngineProvider(ActorSystem system) throws Exception {
    Config config = system.settings().config();
    String dir = config.getString("adversary.identity-dir");
    KeyManager[] keyManagers = null;
    if (!dir.isEmpty()) {
      MemberIdentity identity = MemberIdentity.load(Path.of(dir));
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("me", identity.privateKey(), PASSWORD,
          new Certificate[] {identity.certificate(), identity.caCertificate()});
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(keys, PASSWORD);
      keyManagers = factory.getKeyManagers();
    }
    context = SSLContext.getInstance("TLSv1.3");
    context.init(keyManagers, new TrustManager[] {new TrustingEveryone()}, new SecureRandom());
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setWantClientAuth(true);
    return engine;
  }

  @Override
  public SSLEngine createClientSSLEngine(String hostname, int port) {
    SSLEngine engine = context.createSSLEngine(hostname, port);
    engine.setUseClientMode(true);
    return engine;
  }

  @Override
  public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
    return Option.empty();
  }

  @Override
  public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
    return Option.empty();
  }

  private static final class TrustingEveryone extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
