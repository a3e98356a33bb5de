package org.fedmesh.mpc.pki;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class CertificateValidatorTest {

  private static X509Certificate ca() {
    return TestPki.ca().certificate();
  }

  @Test
  void validateMember_issuedByThisCa_accepted() {
    assertDoesNotThrow(() -> CertificateValidator.validateMember(TestPki.alice().certificate(), ca(), Instant.now()));
    assertDoesNotThrow(() -> CertificateValidator.validateMember(TestPki.bob().certificate(), ca(), Instant.now()));
  }

  @Test
  void validateMember_fromAnotherConsortiumsCa_refused() {
    assertRefused(TestPki.aliceOfOtherCa().certificate(), ca(), Instant.now(), "not from this consortium's CA");
  }

  @Test
  void validateMember_fromImpostorCaWithSameName_refused() {
    assertRefused(TestPki.aliceOfImpostorCa().certificate(), ca(), Instant.now(),
        "not signed by this consortium's CA");
  }

  @Test
  void validateMember_afterMemberExpiry_refused() {
    Instant later = Instant.now().plus(TestPki.MEMBER_VALIDITY).plus(Duration.ofDays(1));
    assertRefused(TestPki.alice().certificate(), ca(), later, "certificate of 'alice' expired at");
  }

  @Test
  void validateMember_beforeValidityStarts_refused() {
    assertRefused(TestPki.alice().certificate(), ca(), Instant.now().minus(Duration.ofHours(1)),
        "is not valid before");
  }

  @Test
  void validateMember_afterCaExpiry_refusedNamingTheCa() {
    Instant muchLater = Instant.now().plus(TestPki.CA_VALIDITY).plus(Duration.ofDays(1));
    assertRefused(TestPki.alice().certificate(), ca(), muchLater, "CA certificate");
  }

  @Test
  void validateMember_trustAnchorIsNotACa_refused() {
    assertRefused(TestPki.bob().certificate(), TestPki.alice().certificate(), Instant.now(),
        "is not a CA certificate");
  }

  @Test
  void validateMember_memberWithCaFlag_refused() throws Exception {
    X509Certificate rogue = memberCertificate(true, KeyUsage.digitalSignature | KeyUsage.keyCertSign);
    assertRefused(rogue, ca(), Instant.now(), "is a CA certificate");
  }

  @Test
  void validateMember_withoutDigitalSignatureUsage_refused() throws Exception {
    X509Certificate encipherOnly = memberCertificate(false, KeyUsage.keyEncipherment);
    assertRefused(encipherOnly, ca(), Instant.now(), "lacks the digitalSignature key usage");
  }

  /** A certificate for carol signed by the real CA key, with extensions ConsortiumCa would never choose. */
  private static X509Certificate memberCertificate(boolean caFlag, int keyUsage) throws Exception {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca(), CertificateIssuer.randomSerial(),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))),
        new X500Name("O=Acme Health,CN=carol"), TestPki.bob().certificate().getPublicKey())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(caFlag))
        .addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
    return Certificates.fromDer(builder.build(
        new JcaContentSignerBuilder("SHA256withRSA").build(TestPki.ca().privateKey())).getEncoded());
  }

  private static void assertRefused(X509Certificate member, X509Certificate ca, Instant now, String reason) {
    CertificateValidationException e = assertThrows(CertificateValidationException.class,
        () -> CertificateValidator.validateMember(member, ca, now));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
