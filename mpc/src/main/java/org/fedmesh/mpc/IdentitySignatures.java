package org.fedmesh.mpc;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import org.fedmesh.mpc.pki.CryptoProviders;

/**
 * Signatures with a member's long-term identity key over protocol payloads. RSA keys sign with RSASSA-PSS
 * (SHA-256, MGF1-SHA-256, 32-byte salt), the modern RSA scheme with a security proof; other key types with
 * their natural algorithm. The verifier picks the algorithm from the certificate's key, never from the message.
 */
final class IdentitySignatures {

  private IdentitySignatures() {
  }

  static byte[] sign(PrivateKey key, byte[] payload) {
    try {
      Signature signer = Signature.getInstance(algorithmFor(key), CryptoProviders.bouncyCastle());
      signer.initSign(key);
      signer.update(payload);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the identity key: " + e.getMessage(), e);
    }
  }

  static boolean verify(PublicKey key, byte[] payload, byte[] signature) throws GeneralSecurityException {
    Signature verifier = Signature.getInstance(algorithmFor(key), CryptoProviders.bouncyCastle());
    verifier.initVerify(key);
    verifier.update(payload);
    return verifier.verify(signature);
  }

  private static String algorithmFor(Key key) throws GeneralSecurityException {
    return switch (key.getAlgorithm()) {
      case "RSA", "RSASSA-PSS" -> "SHA256withRSAandMGF1";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519" -> "Ed25519";
      default -> throw new GeneralSecurityException("unsupported identity key algorithm " + key.getAlgorithm());
    };
  }
}
