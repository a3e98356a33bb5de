package org.fedmesh.mpc.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;

/** Key generation and key-type-dependent choices for the consortium's long-term keys. */
final class KeyTypes {

  /**
   * RSA, not EC: the member key also serves Artery mutual TLS, and Pekko's PEM-based
   * RotatingKeysSSLEngineProvider reads RSA keys only. 3072 bits is the NIST size for 128-bit security.
   */
  static final int RSA_BITS = 3072;

  private KeyTypes() {
  }

  static KeyPair generateRsa(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(RSA_BITS, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA key generation is unavailable in this JDK", e);
    }
  }

  /** Signature algorithm for certificates signed with this key (PKCS#1 v1.5 for RSA: what every TLS stack takes). */
  static String certificateSignatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519" -> "Ed25519";
      default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
    };
  }

  /** Whether the private key belongs to the public key, by signing a random challenge. */
  static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      String algorithm = certificateSignatureAlgorithm(privateKey);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // e.g. an RSA private key against an EC certificate
    }
  }
}
