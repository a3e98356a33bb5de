package org.fedmesh.system;

import java.io.Reader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.MemberIdentity;

/**
 * Certificates the consortium's CA signed but that are no longer valid, which {@link ConsortiumCa#issue} would
 * never make: built here with the CA key from its PEM file, as an attacker holding an old certificate would have.
 */
final class ExpiredCertificates {
  private ExpiredCertificates() {}

  /** A member certificate for {@code nodeName} that expired {@code ago}, with a matching key, saved to {@code out}. */
  static MemberIdentity issueExpired(Path caDir, String consortium, String nodeName, Duration ago, Path out)
      throws Exception {
    X509Certificate ca = ConsortiumCa.load(caDir).certificate();
    PrivateKey caKey;
    try (Reader reader = Files.newBufferedReader(caDir.resolve(ConsortiumCa.KEY_FILE));
         PEMParser parser = new PEMParser(reader)) {
      caKey = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
    }
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(3072, new SecureRandom());
    KeyPair keys = generator.generateKeyPair();
    Instant notAfter = Instant.now().minus(ago);
    X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
        new JcaX509v3CertificateBuilder(ca, new BigInteger(128, new SecureRandom()),
            Date.from(notAfter.minus(Duration.ofDays(30))), Date.from(notAfter),
            new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, consortium).addRDN(BCStyle.CN, nodeName).build(),
            keys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
            .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
            .build(new JcaContentSignerBuilder("SHA256withRSA").build(caKey)));
    MemberIdentity identity = new MemberIdentity(nodeName, keys.getPrivate(), certificate, ca);
    identity.save(out);
    return identity;
  }
}
