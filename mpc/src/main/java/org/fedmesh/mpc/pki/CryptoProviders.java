package org.fedmesh.mpc.pki;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * One shared Bouncy Castle provider instance, passed explicitly to {@code getInstance} calls instead of being
 * registered with {@code Security.addProvider}, so this module never changes JVM-wide provider order (which the
 * TLS stack of the same process depends on).
 */
public final class CryptoProviders {

  private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();

  private CryptoProviders() {
  }

  public static Provider bouncyCastle() {
    return BOUNCY_CASTLE;
  }
}
