package org.fedmesh.mpc;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.fedmesh.mpc.pki.MemberIdentity;

/**
 * One participant's {@link RoundResult}, signed with its certified identity key (RSASSA-PSS, like
 * {@link SignedEphemeralKey}) and carrying its certificate, so that anyone holding the consortium CA can check who
 * stated it, with no word of a coordinator. The signature covers the label {@value #LABEL}, the node id and every
 * field of the result in canonical form.
 */
public record SignedRoundResult(RoundResult result, String nodeId, byte[] signature, byte[] certificateDer) {

  static final String LABEL = "fedmesh-round-result-v1";
  private static final String FORMAT = "fedmesh-signed-round-result-v1";
  private static final String ALTERED = "the round, attempt, ring or a hash was altered";

  public SignedRoundResult {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(nodeId, "nodeId");
    signature = signature.clone();
    certificateDer = certificateDer.clone();
  }

  public static SignedRoundResult sign(MemberIdentity identity, RoundResult result) {
    byte[] signature = IdentitySignatures.sign(identity.privateKey(), result.signedPayload(identity.nodeId()));
    try {
      return new SignedRoundResult(result, identity.nodeId(), signature, identity.certificate().getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode the certificate of " + identity.nodeId(), e);
    }
  }

  /**
   * Checks that the signature is by the key of the certificate carried, and that the certificate names this node,
   * without asking who issued it: what a coordinator can check to catch a broken signature early. A member must use
   * {@link #verify}.
   *
   * @return the signer's certificate
   */
  public X509Certificate checkSignature() throws CommitVerificationException {
    return SignedStatements.checkSignature(nodeId, certificateDer, result.signedPayload(nodeId), signature, ALTERED);
  }

  /**
   * Accepts the signed result only if its certificate was issued by {@code caCertificate}, is valid at {@code now}
   * and names {@link #nodeId}, and the signature over the result verifies with the certificate's key.
   */
  public void verify(X509Certificate caCertificate, Instant now) throws CommitVerificationException {
    SignedStatements.verify(nodeId, certificateDer, result.signedPayload(nodeId), signature, ALTERED, caCertificate,
        now);
  }

  /** The canonical encoding, the form it travels in and {@link #decode} reads. */
  public byte[] encode() {
    return put(result.put(new CanonicalBytes().putString(FORMAT))).toByteArray();
  }

  /** @throws IllegalArgumentException when {@code bytes} are not an encoded signed result */
  public static SignedRoundResult decode(byte[] bytes) {
    CanonicalReader in = new CanonicalReader(bytes);
    if (!FORMAT.equals(in.getString())) {
      throw new IllegalArgumentException("not a " + FORMAT);
    }
    SignedRoundResult signed = read(in, RoundResult.read(in));
    in.end();
    return signed;
  }

  /** Writes what is not the result: the result is written once per commit certificate. */
  CanonicalBytes put(CanonicalBytes out) {
    return out.putString(nodeId).putBytes(signature).putBytes(certificateDer);
  }

  static SignedRoundResult read(CanonicalReader in, RoundResult result) {
    return new SignedRoundResult(result, in.getString(), in.getBytes(), in.getBytes());
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
    return other instanceof SignedRoundResult that && result.equals(that.result) && nodeId.equals(that.nodeId)
        && Arrays.equals(signature, that.signature) && Arrays.equals(certificateDer, that.certificateDer);
  }

  @Override
  public int hashCode() {
    return Objects.hash(result, nodeId) * 31 + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "SignedRoundResult[" + nodeId + ": " + result + "]";
  }
}
