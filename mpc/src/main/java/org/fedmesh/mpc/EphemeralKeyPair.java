package org.fedmesh.mpc;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/** An X25519 key pair (RFC 7748) made for one round attempt and thrown away after it. */
public final class EphemeralKeyPair {

  public static final int KEY_BYTES = 32;

  private final X25519PrivateKeyParameters privateKey;
  private final byte[] publicKey;

  private EphemeralKeyPair(X25519PrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.publicKey = privateKey.generatePublicKey().getEncoded();
  }

  public static EphemeralKeyPair generate(SecureRandom random) {
    return new EphemeralKeyPair(new X25519PrivateKeyParameters(Objects.requireNonNull(random, "random")));
  }

  /** For published test vectors only: a real key pair comes from {@link #generate}. */
  static EphemeralKeyPair fromPrivateKey(byte[] privateKey) {
    requireKeyLength(privateKey, "private key");
    return new EphemeralKeyPair(new X25519PrivateKeyParameters(privateKey, 0));
  }

  /** The 32-byte public key (a copy). */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * The 32-byte X25519 shared secret with the holder of {@code peerPublicKey}.
   *
   * @throws IllegalArgumentException for a key of the wrong length, or a low-order point that would make the
   *                                  secret all zeros (and so known to everyone)
   */
  public byte[] agree(byte[] peerPublicKey) {
    requireKeyLength(peerPublicKey, "peer public key");
    byte[] secret = new byte[KEY_BYTES];
    X25519Agreement agreement = new X25519Agreement();
    agreement.init(privateKey);
    try {
      agreement.calculateAgreement(new X25519PublicKeyParameters(peerPublicKey, 0), secret, 0);
    } catch (IllegalStateException lowOrderPoint) {
      throw allZeroSecret();
    }
    if (isAllZero(secret)) { // Bouncy Castle checks this too; the check is cheap and the failure silent
      throw allZeroSecret();
    }
    return secret;
  }

  @Override
  public String toString() {
    return "EphemeralKeyPair[public=" + HexFormat.of().formatHex(publicKey) + "]";
  }

  private static void requireKeyLength(byte[] key, String what) {
    Objects.requireNonNull(key, what);
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(what + " must be " + KEY_BYTES + " bytes, got " + key.length);
    }
  }

  /** Constant time, so the check reveals nothing about a secret that passes. */
  private static boolean isAllZero(byte[] bytes) {
    int any = 0;
    for (byte b : bytes) {
      any |= b;
    }
    return any == 0;
  }

  private static IllegalArgumentException allZeroSecret() {
    return new IllegalArgumentException(
        "peer public key is a low-order point: the X25519 shared secret would be all zeros");
  }
}
