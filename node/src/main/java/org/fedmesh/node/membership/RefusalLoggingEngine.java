package org.fedmesh.node.membership;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * An {@link SSLEngine} that passes everything to the JDK's engine and logs why a handshake failed. Pekko's inbound
 * connections fail silently, and some refusals never reach the trust manager: a peer that speaks plain TCP, or a
 * TLS client that offers no certificate. Refusals the {@link ConsortiumTrustManager} already logged are not logged
 * again; failures after the handshake are the stream's business.
 */
final class RefusalLoggingEngine extends SSLEngine {
  private final SSLEngine engine;
  private final String where;
  private final RefusalLog refusals;
  private volatile boolean established;

  RefusalLoggingEngine(SSLEngine engine, String where, RefusalLog refusals) {
    super(engine.getPeerHost(), engine.getPeerPort());
    this.engine = engine;
    this.where = where;
    this.refusals = refusals;
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] sources, int offset, int length, ByteBuffer destination)
      throws SSLException {
    try {
      return noteFinished(engine.wrap(sources, offset, length, destination));
    } catch (SSLException e) {
      throw logged(e);
    }
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer source, ByteBuffer[] destinations, int offset, int length)
      throws SSLException {
    try {
      return noteFinished(engine.unwrap(source, destinations, offset, length));
    } catch (SSLException e) {
      throw logged(e);
    }
  }

  private SSLEngineResult noteFinished(SSLEngineResult result) {
    if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
      established = true;
    }
    return result;
  }

  private SSLException logged(SSLException e) {
    if (!established && !alreadyLogged(e)) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      refusals.refuse(where + "|" + e.getClass().getName() + "|" + why,
          "Refused TLS peer on " + where + ": the TLS handshake failed: " + why + hint(why));
    }
    return e;
  }

  private static String hint(String why) {
    if (why.contains("nrecognized SSL message")) { // "Unsupported or unrecognized ..." / "Unrecognized ..."
      return " (the peer does not speak TLS: a member with fedmesh.tls.insecure-plain-tcp = on, or not a member)";
    }
    if (why.contains("Empty client certificate chain") || why.contains("certificate_required")) {
      return " (the peer presented no certificate)";
    }
    if (why.contains("Received fatal alert")) {
      return " (the peer refused this member's certificate or the protocol; its log says why)";
    }
    return "";
  }

  private static boolean alreadyLogged(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConsortiumTrustManager.RefusedPeerException) {
        return true;
      }
    }
    return false;
  }

  // Everything else is the JDK engine's.

  @Override
  public Runnable getDelegatedTask() {
    return engine.getDelegatedTask();
  }

  @Override
  public void closeInbound() throws SSLException {
    engine.closeInbound();
  }

  @Override
  public boolean isInboundDone() {
    return engine.isInboundDone();
  }

  @Override
  public void closeOutbound() {
    engine.closeOutbound();
  }

  @Override
  public boolean isOutboundDone() {
    return engine.isOutboundDone();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return engine.getSupportedCipherSuites();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return engine.getEnabledCipherSuites();
  }

  @Override
  public void setEnabledCipherSuites(String[] suites) {
    engine.setEnabledCipherSuites(suites);
  }

  @Override
  public String[] getSupportedProtocols() {
    return engine.getSupportedProtocols();
  }

  @Override
  public String[] getEnabledProtocols() {
    return engine.getEnabledProtocols();
  }

  @Override
  public void setEnabledProtocols(String[] protocols) {
    engine.setEnabledProtocols(protocols);
  }

  @Override
  public SSLSession getSession() {
    return engine.getSession();
  }

  @Override
  public SSLSession getHandshakeSession() {
    return engine.getHandshakeSession();
  }

  @Override
  public void beginHandshake() throws SSLException {
    try {
      engine.beginHandshake();
    } catch (SSLException e) {
      throw logged(e);
    }
  }

  @Override
  public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
    return engine.getHandshakeStatus();
  }

  @Override
  public void setUseClientMode(boolean mode) {
    engine.setUseClientMode(mode);
  }

  @Override
  public boolean getUseClientMode() {
    return engine.getUseClientMode();
  }

  @Override
  public void setNeedClientAuth(boolean need) {
    engine.setNeedClientAuth(need);
  }

  @Override
  public boolean getNeedClientAuth() {
    return engine.getNeedClientAuth();
  }

  @Override
  public void setWantClientAuth(boolean want) {
    engine.setWantClientAuth(want);
  }

  @Override
  public boolean getWantClientAuth() {
    return engine.getWantClientAuth();
  }

  @Override
  public void setEnableSessionCreation(boolean flag) {
    engine.setEnableSessionCreation(flag);
  }

  @Override
  public boolean getEnableSessionCreation() {
    return engine.getEnableSessionCreation();
  }

  @Override
  public SSLParameters getSSLParameters() {
    return engine.getSSLParameters();
  }

  @Override
  public void setSSLParameters(SSLParameters parameters) {
    engine.setSSLParameters(parameters);
  }

  @Override
  public String getApplicationProtocol() {
    return engine.getApplicationProtocol();
  }

  @Override
  public String getHandshakeApplicationProtocol() {
    return engine.getHandshakeApplicationProtocol();
  }

  @Override
  public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
    engine.setHandshakeApplicationProtocolSelector(selector);
  }

  @Override
  public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
    return engine.getHandshakeApplicationProtocolSelector();
  }
}
