package org.fedmesh.mpc;

import static org.fedmesh.mpc.SignedRoundResultTest.AFTER;
import static org.fedmesh.mpc.SignedRoundResultTest.BEFORE;
import static org.fedmesh.mpc.SignedRoundResultTest.NONCE;
import static org.fedmesh.mpc.SignedRoundResultTest.RESULT;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.mpc.pki.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CommitCertificateTest {

  private static X509Certificate ca;
  private static SignedRoundResult alice;
  private static SignedRoundResult bob;
  private static SignedRoundResult carol;
  private static CommitCertificate certificate;

  @BeforeAll
  static void signAll() {
    ca = TestPki.ca().certificate();
    alice = SignedRoundResult.sign(TestPki.alice(), RESULT);
    bob = SignedRoundResult.sign(TestPki.bob(), RESULT);
    carol = SignedRoundResult.sign(TestPki.carol(), RESULT);
    certificate = CommitCertificate.of(List.of(alice, bob, carol));
  }

  @Test
  void verify_wholeRingSigned_majorityOfTheConsortium_accepted() {
    assertDoesNotThrow(() -> certificate.verify(ca, Instant.now(), 5));
    assertEquals(List.of("alice", "bob", "carol"), certificate.signers());
  }

  @Test
  void verify_ringThatIsNoMajority_refused() {
    assertRefused(certificate, 6, null, "only 3 of the consortium's 6 members");
  }

  @Test
  void verify_aRingMembersSignatureMissing_refused() {
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bob)), 3, null, "not exactly the attempt's ring");
  }

  @Test
  void verify_noSignatureAtAll_refused() {
    assertRefused(new CommitCertificate(RESULT, List.of()), 3, null, "no signature");
  }

  @Test
  void verify_aSignerTwice_refused() {
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bob, carol, bob)), 3, "bob", "signs twice");
  }

  @Test
  void verify_signerOutsideTheRing_refused() {
    RoundResult pair = new RoundResult(7, 2, NONCE, List.of("alice", "bob"), BEFORE, AFTER);
    CommitCertificate extra = new CommitCertificate(pair, List.of(SignedRoundResult.sign(TestPki.alice(), pair),
        SignedRoundResult.sign(TestPki.bob(), pair), SignedRoundResult.sign(TestPki.carol(), pair)));
    assertRefused(extra, 3, null, "not exactly the attempt's ring");
  }

  @Test
  void verify_oneSignatureOverAnotherResult_refusedNamingItsSigner() {
    RoundResult other = new RoundResult(7, 2, NONCE, RESULT.ring(), BEFORE, "cc".repeat(32));
    SignedRoundResult dissent = SignedRoundResult.sign(TestPki.carol(), other);
    assertThrows(IllegalArgumentException.class, () -> CommitCertificate.of(List.of(alice, bob, dissent)));
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bob, dissent)), 3, "carol", "signed round 7");
  }

  @Test
  void verify_oneForgedSignature_refusedNamingItsSigner() {
    byte[] forged = bob.signature();
    forged[0] ^= 1;
    SignedRoundResult bad = new SignedRoundResult(RESULT, "bob", forged, bob.certificateDer());
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bad, carol)), 3, "bob", "bad signature");
  }

  @Test
  void verify_signerOfAnotherConsortium_refused() {
    MemberIdentity outsider = TestPki.aliceOfOtherCa();
    SignedRoundResult foreign = SignedRoundResult.sign(outsider, RESULT);
    assertRefused(new CommitCertificate(RESULT, List.of(foreign, bob, carol)), 3, "alice",
        "not from this consortium's CA");
  }

  @Test
  void verify_afterTheCertificatesExpired_refused() {
    Instant afterExpiry = Instant.now().plus(TestPki.MEMBER_VALIDITY).plus(Duration.ofDays(1));
    CommitVerificationException e = assertThrows(CommitVerificationException.class,
        () -> certificate.verify(ca, afterExpiry, 3));
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void decode_ofEncode_isEqualAndStillVerifies() throws Exception {
    CommitCertificate copy = CommitCertificate.decode(certificate.encode());
    assertEquals(certificate, copy);
    copy.verify(ca, Instant.now(), 3);
  }

  @Test
  void decode_anyFlippedByteOfTheResult_failsToDecodeOrToVerify() {
    byte[] encoded = certificate.encode();
    int resultEnd = 4 + "fedmesh-commit-certificate-v1".length()
        + RESULT.put(new CanonicalBytes()).toByteArray().length;
    List<Integer> accepted = new ArrayList<>();
    for (int i = 0; i < resultEnd; i++) {
      byte[] tampered = encoded.clone();
      tampered[i] ^= 0x01;
      try {
        CommitCertificate.decode(tampered).verify(ca, Instant.now(), 3);
        accepted.add(i);
      } catch (IllegalArgumentException | CommitVerificationException refused) {
        // expected
      }
    }
    assertEquals(List.of(), accepted, "offsets whose alteration still verified");
  }

  // ---- a ring member lost after it attested: its attestation stands in for its signature

  private static SignedAttestation attestation(MemberIdentity who, RoundResult of) {
    return SignedAttestation.sign(who, SumHeld.of(of));
  }

  @Test
  void verify_lostMemberAttested_signersAMajority_acceptedAndSurvivesEncoding() throws Exception {
    CommitCertificate completed = CommitCertificate.of(List.of(alice, bob), List.of(attestation(TestPki.carol(),
        RESULT)));
    completed.verify(ca, Instant.now(), 3);
    CommitCertificate copy = CommitCertificate.decode(completed.encode());
    assertEquals(completed, copy);
    assertEquals(List.of("carol"), copy.attesters());
    copy.verify(ca, Instant.now(), 3);
  }

  @Test
  void verify_signersAndAttestersAMajorityButNotTheSignersAlone_refused() {
    // Two of four sign: an attestation is no vote on the result, so it does not make up the majority.
    CommitCertificate completed = CommitCertificate.of(List.of(alice, bob), List.of(attestation(TestPki.carol(),
        RESULT)));
    assertRefused(completed, 4, null, "only 2 of the consortium's 4 members signed it");
  }

  @Test
  void verify_attestationOfAnotherAttempt_refusedNamingItsSigner() {
    RoundResult earlier = new RoundResult(7, 1, NONCE, RESULT.ring(), BEFORE, AFTER);
    SignedAttestation stale = attestation(TestPki.carol(), earlier);
    assertThrows(IllegalArgumentException.class, () -> CommitCertificate.of(List.of(alice, bob), List.of(stale)));
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bob), List.of(stale)), 3, "carol",
        "not this attempt's");
  }

  @Test
  void verify_forgedOrForeignAttestation_refusedNamingItsSigner() {
    SignedAttestation genuine = attestation(TestPki.carol(), RESULT);
    byte[] forged = genuine.signature();
    forged[7] ^= 1;
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bob), List.of(new SignedAttestation(
        genuine.statement(), "carol", forged, genuine.certificateDer()))), 3, "carol", "bad signature");
    // Bob's key and certificate cannot attest for carol.
    SignedAttestation inCarolsName = new SignedAttestation(genuine.statement(), "carol",
        attestation(TestPki.bob(), RESULT).signature(), bobCertificate());
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bob), List.of(inCarolsName)), 3, "carol",
        "not of 'carol'");
    // A result signature is no attestation: the labels differ.
    SignedAttestation fromResult = new SignedAttestation(genuine.statement(), "carol", carol.signature(),
        carol.certificateDer());
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bob), List.of(fromResult)), 3, "carol",
        "bad signature");
  }

  @Test
  void verify_aMemberThatSignsAndAttests_orARingMemberNeitherSignsNorAttests_refused() {
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bob, carol), List.of(attestation(TestPki.bob(),
        RESULT))), 3, "bob", "attests as well as signs");
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bob), List.of(attestation(TestPki.alice(), RESULT))),
        3, "alice", "attests as well as signs");
    assertRefused(new CommitCertificate(RESULT, List.of(alice, bob), List.of()), 3, null,
        "not exactly the attempt's ring");
  }

  private static byte[] bobCertificate() {
    try {
      return TestPki.bob().certificate().getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertRefused(CommitCertificate c, int members, String culprit, String reason) {
    CommitVerificationException e = assertThrows(CommitVerificationException.class,
        () -> c.verify(ca, Instant.now(), members));
    if (culprit == null) {
      assertNull(e.culprit(), e.getMessage());
    } else {
      assertEquals(culprit, e.culprit(), e.getMessage());
    }
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
