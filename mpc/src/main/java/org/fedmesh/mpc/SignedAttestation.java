package org.fedmesh.mpc;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.fedmesh.mpc.pki.MemberIdentity;

/**
 * A participant's {@link SumHeld} attestation, signed with its certified identity key and carrying its certificate,
 * so that anyone holding the consortium CA can check that this member held the masked sum: peers before they reveal
 * their self-mask seeds, and anyone reading a commit certificate that completes an attempt without it.
 */
public record SignedAttestation(SumHeld statement, String nodeId, byte[] signature, byte[] certificateDer) {

  private static final String FORMAT = "fedmesh-signed-attestation-v1";
  private static final String ALTERED = "the round, attempt, ring or model was altered";

  public SignedAttestation {
    Objects.requireNonNull(statement, "statement");
    Objects.requireNonNull(nodeId, "nodeId");
    signature = signature.clone();
    certificateDer = certificateDer.clone();
  }

  public static SignedAttestation sign(MemberIdentity identity, SumHeld statement) {
    byte[] signature = IdentitySignatures.sign(identity.privateKey(), statement.signedPayload(identity.nodeId()));
    try {
      return new SignedAttestation(statement, identity.nodeId(), signature, identity.certificate().getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode the certificate of " + identity.nodeId(), e);
    }
  }

  /** The signature is by the key of the certificate carried, which names this node; the issuer is not asked. */
  public X509Certificate checkSignature() throws CommitVerificationException {
    return SignedStatements.checkSignature(nodeId, certificateDer, statement.signedPayload(nodeId), signature,
        ALTERED);
  }

  /** {@link #checkSignature}, and the certificate was issued by {@code caCertificate} and is valid at {@code now}. */
  public void verify(X509Certificate caCertificate, Instant now) throws CommitVerificationException {
    SignedStatements.verify(nodeId, certificateDer, statement.signedPayload(nodeId), signature, ALTERED,
        caCertificate, now);
  }

  /** The canonical encoding, the form it travels in and {@link #decode} reads. */
  public byte[] encode() {
    return put(statement.put(new CanonicalBytes().putString(FORMAT))).toByteArray();
  }

  /** @throws IllegalArgumentException when {@code bytes} are not an encoded signed attestation */
  public static SignedAttestation decode(byte[] bytes) {
    CanonicalReader in = new CanonicalReader(bytes);
    if (!FORMAT.equals(in.getString())) {
      throw new IllegalArgumentException("not a " + FORMAT);
    }
    SignedAttestation signed = read(in, SumHeld.read(in));
    in.end();
    return signed;
  }

  /** Writes what is not the statement: in a commit certificate, the statement follows from the result. */
  CanonicalBytes put(CanonicalBytes out) {
    return out.putString(nodeId).putBytes(signature).putBytes(certificateDer);
  }

  static SignedAttestation read(CanonicalReader in, SumHeld statement) {
    return new SignedAttestation(statement, in.getString(), in.getBytes(), in.getBytes());
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public byte[] certificateDer() {
    return certificateDer.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SignedAttestation that && statement.equals(that.statement) && nodeId.equals(that.nodeId)
        && Arrays.equals(signature, that.signature) && Arrays.equals(certificateDer, that.certificateDer);
  }

  @Override
  public int hashCode() {
    return Objects.hash(statement, nodeId) * 31 + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "SignedAttestation[" + nodeId + " holds " + statement + "]";
  }
}
