package org.fedmesh.node.membership;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.fedmesh.mpc.pki.Certificates;

/**
 * The certificate this member's TLS layer verified at each peer address, from outbound connections: there the
 * member dialled the address a peer announced (its Artery host and port), so the certificate that answered is the
 * one that address holds. Inbound connections say nothing about the dialler's announced address and are not
 * recorded. The {@link MembershipGuard} compares these with the node ids members announce.
 */
public final class PeerCertificates {

  /** A verified peer certificate, reduced to what membership needs. */
  public record Seen(String nodeId, BigInteger serial, Instant notAfter) {
    static Seen of(X509Certificate certificate) {
      return new Seen(Certificates.commonName(certificate).orElse(""), certificate.getSerialNumber(),
          certificate.getNotAfter().toInstant());
    }
  }

  private final Map<String, Seen> byAddress = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** Called by the TLS layer after an outbound handshake to {@code host:port} verified {@code certificate}. */
  void verified(String host, int port, X509Certificate certificate) {
    Seen seen = Seen.of(certificate);
    if (!seen.equals(byAddress.put(key(host, port), seen))) {
      listeners.forEach(Runnable::run);
    }
  }

  /** The certificate last verified at {@code host:port}, if any outbound connection there succeeded. */
  public Optional<Seen> at(String host, int port) {
    return Optional.ofNullable(byAddress.get(key(host, port)));
  }

  /** Runs {@code onChange} whenever a new certificate is seen at some address; returns how to stop. */
  Runnable subscribe(Runnable onChange) {
    listeners.add(onChange);
    return () -> listeners.remove(onChange);
  }

  private static String key(String host, int port) {
    return host + ":" + port;
  }
}
