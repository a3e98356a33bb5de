package org.fedmesh.node.membership;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * The {@code fedmesh.tls} section: how members authenticate each other (documented in reference.conf and README).
 *
 * @param insecurePlainTcp         plain TCP instead of mutual TLS: anyone who reaches the port is a peer
 * @param protocol                 the one TLS version spoken
 * @param cipherSuites             the suites offered and accepted
 * @param revocationCheckInterval  how often the revocation list file is checked for a new version
 * @param refusalLogInterval       a refused peer certificate (or connection kind) is logged at most once per this
 * @param verifyTimeout            a member whose certificate could not be seen within this after joining is downed
 */
public record TlsSettings(boolean insecurePlainTcp, String protocol, List<String> cipherSuites,
                          Duration revocationCheckInterval, Duration refusalLogInterval, Duration verifyTimeout) {

  public TlsSettings {
    cipherSuites = List.copyOf(cipherSuites);
    if (!protocol.startsWith("TLSv1.")) {
      throw new IllegalArgumentException("protocol '" + protocol + "' is not a TLS version (TLSv1.3 or TLSv1.2)");
    }
    if (cipherSuites.isEmpty()) {
      throw new IllegalArgumentException("cipher-suites is empty");
    }
    requirePositive("revocation-check-interval", revocationCheckInterval);
    requirePositive("refusal-log-interval", refusalLogInterval);
    requirePositive("verify-timeout", verifyTimeout);
  }

  /** Reads the {@code fedmesh.tls} section; throws with the key named when a value is wrong. */
  public static TlsSettings fromConfig(Config tls) {
    return new TlsSettings(tls.getBoolean("insecure-plain-tcp"), tls.getString("protocol"),
        tls.getStringList("cipher-suites"), tls.getDuration("revocation-check-interval"),
        tls.getDuration("refusal-log-interval"), tls.getDuration("verify-timeout"));
  }

  public boolean enabled() {
    return !insecurePlainTcp;
  }

  private static void requirePositive(String key, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " must be positive, got " + value);
    }
  }
}
