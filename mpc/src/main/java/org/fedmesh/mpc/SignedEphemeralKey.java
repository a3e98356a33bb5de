package org.fedmesh.mpc;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.fedmesh.mpc.pki.CertificateValidationException;
import org.fedmesh.mpc.pki.CertificateValidator;
import org.fedmesh.mpc.pki.Certificates;
import org.fedmesh.mpc.pki.MemberIdentity;

/**
 * An ephemeral X25519 public key for one round attempt, signed with its node's long-term identity key and
 * carrying that node's certificate, so every participant can check who made it. This is what stops a
 * coordinator (or anyone relaying keys) from swapping in its own keys to unmask an update.
 *
 * <p>The signature covers a canonical, length-prefixed encoding of the label {@value #LABEL}, node id, round,
 * attempt, nonce, public key and the commitments to the node's self-mask seed and to each of the seed's shares
 * ({@link SelfMaskReveal#dealing}; the field keeps its name {@code seedCommitment}): a key cannot be replayed in
 * another round, attempt or under another name, the seed its owner later reveals (or the others rebuild) can be
 * checked against what it signed here, and so can every share, when it is dealt and when a peer reveals it.
 * Arrays are copied in and out; the constructor accepts anything so that a malformed key off the wire is
 * reported by {@link #verify} with its node name rather than failing elsewhere.
 */
public record SignedEphemeralKey(String nodeId, long round, int attempt, byte[] nonce, byte[] publicKey,
    byte[] seedCommitment, byte[] signature, byte[] certificateDer) {

  static final String LABEL = "fedmesh-ephemeral-key-v3"; // v2: the seed commitment; v3: and its shares


  public SignedEphemeralKey {
    nonce = copyOf(nonce);
    publicKey = copyOf(publicKey);
    seedCommitment = copyOf(seedCommitment);
    signature = copyOf(signature);
    certificateDer = copyOf(certificateDer);
  }

  public static SignedEphemeralKey sign(MemberIdentity identity, long round, int attempt, byte[] nonce,
      byte[] publicKey, byte[] seedCommitment) {
    Objects.requireNonNull(seedCommitment, "seedCommitment");
    if (!wellSized(seedCommitment)) {
      throw new IllegalArgumentException("a seed commitment has " + SelfMaskReveal.COMMITMENT_BYTES + " bytes per"
          + " commitment (the seed's, then each share's), got " + seedCommitment.length);
    }
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(publicKey, "publicKey");
    if (publicKey.length != EphemeralKeyPair.KEY_BYTES) {
      throw new IllegalArgumentException("an ephemeral public key has " + EphemeralKeyPair.KEY_BYTES
          + " bytes, got " + publicKey.length);
    }
    byte[] signature = IdentitySignatures.sign(identity.privateKey(),
        signedPayload(identity.nodeId(), round, attempt, nonce, publicKey, seedCommitment));
    try {
      return new SignedEphemeralKey(identity.nodeId(), round, attempt, nonce, publicKey, seedCommitment, signature,
          identity.certificate().getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode the certificate of " + identity.nodeId(), e);
    }
  }

  /**
   * Accepts the key only if it is from {@code expectedNodeId} for exactly this round, attempt and nonce, its
   * certificate was issued by {@code caCertificate}, is valid at {@code now} and names that node, and the
   * signature over all fields verifies with the certificate's key.
   */
  public void verify(X509Certificate caCertificate, String expectedNodeId, long expectedRound, int expectedAttempt,
      byte[] expectedNonce, Instant now) throws KeyVerificationException {
    Objects.requireNonNull(caCertificate, "caCertificate");
    Objects.requireNonNull(expectedNodeId, "expectedNodeId");
    Objects.requireNonNull(expectedNonce, "expectedNonce");
    Objects.requireNonNull(now, "now");
    requireWellFormed(expectedNodeId);
    if (!nodeId.equals(expectedNodeId)) {
      throw new KeyVerificationException(expectedNodeId, "it claims to be from node '" + nodeId + "'");
    }
    if (round != expectedRound || attempt != expectedAttempt) {
      throw new KeyVerificationException(expectedNodeId, "it is for round " + round + " attempt " + attempt
          + ", expected round " + expectedRound + " attempt " + expectedAttempt);
    }
    if (!Arrays.equals(nonce, expectedNonce)) {
      throw new KeyVerificationException(expectedNodeId, "its nonce " + HexFormat.of().formatHex(nonce)
          + " differs from this attempt's nonce " + HexFormat.of().formatHex(expectedNonce));
    }
    X509Certificate certificate = parseCertificate(expectedNodeId);
    try {
      CertificateValidator.validateMember(certificate, caCertificate, now);
    } catch (CertificateValidationException e) {
      throw new KeyVerificationException(expectedNodeId, e.getMessage(), e);
    }
    String certifiedName = Certificates.commonName(certificate).orElse(Certificates.describe(certificate));
    if (!certifiedName.equals(expectedNodeId)) {
      throw new KeyVerificationException(expectedNodeId,
          "it carries the certificate of '" + certifiedName + "', not of '" + expectedNodeId + "'");
    }
    boolean valid;
    try {
      valid = IdentitySignatures.verify(certificate.getPublicKey(),
          signedPayload(nodeId, round, attempt, nonce, publicKey, seedCommitment), signature);
    } catch (GeneralSecurityException e) {
      throw new KeyVerificationException(expectedNodeId, "its signature cannot be checked: " + e.getMessage(), e);
    }
    if (!valid) {
      throw new KeyVerificationException(expectedNodeId,
          "bad signature: the key, its seed commitment, round, attempt or nonce were altered, or another key signed"
              + " it");
    }
  }

  @Override
  public byte[] nonce() {
    return copyOf(nonce);
  }

  @Override
  public byte[] publicKey() {
    return copyOf(publicKey);
  }

  @Override
  public byte[] seedCommitment() {
    return copyOf(seedCommitment);
  }

  @Override
  public byte[] signature() {
    return copyOf(signature);
  }

  @Override
  public byte[] certificateDer() {
    return copyOf(certificateDer);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SignedEphemeralKey that
        && Objects.equals(nodeId, that.nodeId)
        && round == that.round
        && attempt == that.attempt
        && Arrays.equals(nonce, that.nonce)
        && Arrays.equals(publicKey, that.publicKey)
        && Arrays.equals(seedCommitment, that.seedCommitment)
        && Arrays.equals(signature, that.signature)
        && Arrays.equals(certificateDer, that.certificateDer);
  }

  @Override
  public int hashCode() {
    int hash = Objects.hash(nodeId, round, attempt);
    hash = 31 * hash + Arrays.hashCode(nonce);
    hash = 31 * hash + Arrays.hashCode(publicKey);
    hash = 31 * hash + Arrays.hashCode(seedCommitment);
    hash = 31 * hash + Arrays.hashCode(signature);
    return 31 * hash + Arrays.hashCode(certificateDer);
  }

  @Override
  public String toString() {
    return "SignedEphemeralKey[nodeId=" + nodeId + ", round=" + round + ", attempt=" + attempt
        + ", nonce=" + hex(nonce) + ", publicKey=" + hex(publicKey)
        + ", signature=" + length(signature) + " bytes, certificate=" + length(certificateDer) + " bytes]";
  }

  static byte[] signedPayload(String nodeId, long round, int attempt, byte[] nonce, byte[] publicKey,
      byte[] seedCommitment) {
    return new CanonicalBytes()
        .putString(LABEL)
        .putString(nodeId)
        .putLong(round)
        .putInt(attempt)
        .putBytes(nonce)
        .putBytes(publicKey)
        .putBytes(seedCommitment)
        .toByteArray();
  }

  /** The seed's commitment, then at most one per share: a whole number of commitments. */
  private static boolean wellSized(byte[] commitments) {
    int each = SelfMaskReveal.COMMITMENT_BYTES;
    return commitments.length >= each && commitments.length % each == 0
        && commitments.length <= each * (1 + SeedShares.MAX_SHARES);
  }

  private void requireWellFormed(String expectedNodeId) throws KeyVerificationException {
    String missing = nodeId == null ? "node id" : nonce == null ? "nonce" : publicKey == null ? "public key"
        : seedCommitment == null ? "seed commitment" : signature == null ? "signature"
        : certificateDer == null ? "certificate" : null;
    if (missing != null) {
      throw new KeyVerificationException(expectedNodeId, "malformed: the " + missing + " is missing");
    }
    if (publicKey.length != EphemeralKeyPair.KEY_BYTES) {
      throw new KeyVerificationException(expectedNodeId, "malformed: the public key has " + publicKey.length
          + " bytes, expected " + EphemeralKeyPair.KEY_BYTES);
    }
    if (!wellSized(seedCommitment)) {
      throw new KeyVerificationException(expectedNodeId, "malformed: the seed commitment has "
          + seedCommitment.length + " bytes, expected " + SelfMaskReveal.COMMITMENT_BYTES + " per commitment");
    }
  }

  private X509Certificate parseCertificate(String expectedNodeId) throws KeyVerificationException {
    try {
      return Certificates.fromDer(certificateDer);
    } catch (CertificateException | RuntimeException e) {
      throw new KeyVerificationException(expectedNodeId, "malformed certificate: " + e.getMessage(), e);
    }
  }

  private static byte[] copyOf(byte[] bytes) {
    return bytes == null ? null : bytes.clone();
  }

  private static String hex(byte[] bytes) {
    return bytes == null ? "null" : HexFormat.of().formatHex(bytes);
  }

  private static String length(byte[] bytes) {
    return bytes == null ? "null" : Integer.toString(bytes.length);
  }
}
