package org.fedmesh.mpc.pki;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.interfaces.RSAPublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ConsortiumCaTest {

  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final String KEY_USAGE = "2.5.29.15";
  private static final String SUBJECT_KEY_ID = "2.5.29.14";
  private static final String AUTHORITY_KEY_ID = "2.5.29.35";
  private static final int DNS = 2;
  private static final int IP = 7;

  @Test
  void create_certificate_isSelfSignedRsa3072CaWithCriticalConstraints() throws Exception {
    X509Certificate ca = TestPki.ca().certificate();
    ca.verify(ca.getPublicKey());
    assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
    assertEquals(3072, ((RSAPublicKey) ca.getPublicKey()).getModulus().bitLength());
    assertTrue(ca.getBasicConstraints() >= 0);
    assertTrue(ca.getCriticalExtensionOIDs().containsAll(Set.of(BASIC_CONSTRAINTS, KEY_USAGE)));
    boolean[] keyUsage = ca.getKeyUsage();
    assertTrue(keyUsage[5] && keyUsage[6], "keyCertSign and cRLSign");
    assertFalse(keyUsage[0], "no digitalSignature on the CA");
    assertTrue(ca.getNonCriticalExtensionOIDs().contains(SUBJECT_KEY_ID));
    assertEquals(TestPki.CONSORTIUM, Certificates.organization(ca).orElseThrow());
  }

  @Test
  void issue_member_hasSubjectExtensionsAndSubjectAltNamesForTls() throws Exception {
    X509Certificate member = TestPki.alice().certificate();
    assertEquals("CN=alice,O=Acme Health", member.getSubjectX500Principal().getName());
    assertEquals(TestPki.ca().certificate().getSubjectX500Principal(), member.getIssuerX500Principal());
    assertEquals(3072, ((RSAPublicKey) member.getPublicKey()).getModulus().bitLength());
    assertEquals(-1, member.getBasicConstraints());
    assertTrue(member.getCriticalExtensionOIDs().containsAll(Set.of(BASIC_CONSTRAINTS, KEY_USAGE)));
    boolean[] keyUsage = member.getKeyUsage();
    assertTrue(keyUsage[0] && keyUsage[2], "digitalSignature and keyEncipherment");
    assertFalse(keyUsage[5], "a member must not sign certificates");
    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), member.getExtendedKeyUsage());
    assertTrue(member.getNonCriticalExtensionOIDs().containsAll(Set.of(SUBJECT_KEY_ID, AUTHORITY_KEY_ID)));
    assertEquals(Set.of(
            List.of(DNS, "alice"),
            List.of(IP, "127.0.0.1"),
            List.of(DNS, "alice.example.org"),
            List.of(IP, "0:0:0:0:0:0:0:1"),
            List.of(DNS, "members.acme-health.fedmesh.invalid")),
        member.getSubjectAlternativeNames().stream().map(List::copyOf).collect(Collectors.toSet()));
  }

  @Test
  void issue_member_hasRandomPositiveSerialAndValidityFromOneMinuteAgo() {
    X509Certificate alice = TestPki.alice().certificate();
    X509Certificate bob = TestPki.bob().certificate();
    assertTrue(alice.getSerialNumber().signum() > 0);
    assertTrue(alice.getSerialNumber().bitLength() > 64, "128 random bits, rarely fewer than 65");
    assertFalse(alice.getSerialNumber().equals(bob.getSerialNumber()));
    Instant notBefore = alice.getNotBefore().toInstant();
    Instant notAfter = alice.getNotAfter().toInstant();
    assertEquals(TestPki.MEMBER_VALIDITY.plus(ConsortiumCa.CLOCK_SKEW_ALLOWANCE),
        Duration.between(notBefore, notAfter));
    assertTrue(notBefore.isBefore(Instant.now().minusSeconds(50)), "starts about a minute in the past");
  }

  @Test
  void issue_sharedGroupName_isOnEveryMemberOfTheConsortium() throws Exception {
    String group = TestPki.ca().memberGroupDnsName();
    for (MemberIdentity member : List.of(TestPki.alice(), TestPki.bob())) {
      assertTrue(member.certificate().getSubjectAlternativeNames().contains(List.of(DNS, group)), member.nodeId());
    }
  }

  @Test
  void issue_nodeNameWithUnderscore_keepsItInCnButNotAsDnsName() throws Exception {
    MemberIdentity member = TestPki.ca().issue("site_7", List.of("10.1.2.3"), Duration.ofDays(1));
    assertEquals("site_7", member.nodeId());
    assertEquals(Set.of(List.of(IP, "10.1.2.3"), List.of(DNS, "members.acme-health.fedmesh.invalid")),
        member.certificate().getSubjectAlternativeNames().stream().map(List::copyOf)
            .collect(Collectors.toSet()));
    assertDoesNotThrow(() -> CertificateValidator.validateMember(member.certificate(),
        TestPki.ca().certificate(), Instant.now()));
  }

  @Test
  void issue_invalidNodeName_refusedWithTheRule() {
    for (String bad : List.of("", "has space", "slash/name", "x".repeat(65), "ümlaut")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TestPki.ca().issue(bad, List.of(), Duration.ofDays(1)), bad);
      assertTrue(e.getMessage().contains("invalid node name"), e.getMessage());
    }
  }

  @Test
  void issue_hostNeitherIpNorDnsName_refused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TestPki.ca().issue("carol", List.of("bad host!"), Duration.ofDays(1)));
    assertTrue(e.getMessage().contains("bad host!"), e.getMessage());
  }

  @Test
  void issue_validityBeyondTheCa_refused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TestPki.ca().issue("carol", List.of(), TestPki.CA_VALIDITY.plusDays(1)));
    assertTrue(e.getMessage().contains("outlive the CA"), e.getMessage());
  }

  @Test
  void create_invalidNameOrValidity_refused() {
    assertThrows(IllegalArgumentException.class, () -> ConsortiumCa.create(" padded", Duration.ofDays(1)));
    assertThrows(IllegalArgumentException.class, () -> ConsortiumCa.create("", Duration.ofDays(1)));
    assertThrows(IllegalArgumentException.class, () -> ConsortiumCa.create("tab\there", Duration.ofDays(1)));
    assertThrows(IllegalArgumentException.class, () -> ConsortiumCa.create("ok", Duration.ZERO));
  }

  @Test
  void memberGroupDnsName_anyConsortiumName_isAValidDnsName() {
    assertEquals("members.acme-health-co.fedmesh.invalid", ConsortiumCa.memberGroupDnsName("Acme Health & Co."));
    assertEquals("members.consortium.fedmesh.invalid", ConsortiumCa.memberGroupDnsName("ÄÖÜ"));
    String longName = ConsortiumCa.memberGroupDnsName("a".repeat(64));
    assertTrue(NodeNames.isDnsName(longName), longName);
  }

  @Test
  void nodeNames_rules_matchDocumentation() {
    assertTrue(NodeNames.isValid("node-1.site_A"));
    assertFalse(NodeNames.isValid("node 1"));
    assertTrue(NodeNames.isDnsName("a-b.example.org"));
    assertFalse(NodeNames.isDnsName("a_b"));
    assertFalse(NodeNames.isDnsName("-a"));
    assertFalse(NodeNames.isDnsName("a..b"));
    assertFalse(NodeNames.isValid(null));
  }
}
