package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.fedmesh.mpc.pki.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ControlSealTest {

  private static final byte[] STATEMENT = new CanonicalBytes().putString("StartRound").putLong(7).putInt(2)
      .toByteArray();

  private static X509Certificate ca;
  private static ControlSeal sealed;

  @BeforeAll
  static void sealOne() {
    ca = TestPki.ca().certificate();
    sealed = ControlSeal.seal(TestPki.alice(), STATEMENT);
  }

  @Test
  void verify_sealOfACertifiedMember_returnsItsNodeId() throws Exception {
    assertEquals("alice", sealed.verify(STATEMENT, ca, Instant.now()));
  }

  @Test
  void verify_alteredStatement_refusedAsBadSignature() {
    byte[] altered = STATEMENT.clone();
    altered[altered.length - 1] ^= 1;
    assertRefused(sealed, altered, "alice", "bad signature");
  }

  @Test
  void verify_anotherMembersSignatureUnderThisName_refusedAsBadSignature() {
    ControlSeal bobs = ControlSeal.seal(TestPki.bob(), STATEMENT);
    assertRefused(new ControlSeal("alice", sealed.certificateDer(), bobs.signature()), STATEMENT, "alice",
        "bad signature");
  }

  @Test
  void verify_signerNameNotTheCertificatesCn_refusedAsCnMismatch() {
    ControlSeal bobs = ControlSeal.seal(TestPki.bob(), STATEMENT);
    assertRefused(new ControlSeal("alice", bobs.certificateDer(), bobs.signature()), STATEMENT, "alice",
        "CN mismatch");
  }

  @Test
  void verify_certificateFromAnotherCa_refused() {
    assertRefused(ControlSeal.seal(TestPki.aliceOfOtherCa(), STATEMENT), STATEMENT, "alice",
        "not from this consortium's CA");
  }

  @Test
  void verify_certificateFromImpostorCaWithSameName_refused() {
    assertRefused(ControlSeal.seal(TestPki.aliceOfImpostorCa(), STATEMENT), STATEMENT, "alice",
        "not signed by this consortium's CA");
  }

  @Test
  void verify_expiredCertificate_refused() {
    Instant afterExpiry = Instant.now().plus(TestPki.MEMBER_VALIDITY).plus(Duration.ofDays(1));
    SealVerificationException e = assertThrows(SealVerificationException.class,
        () -> sealed.verify(STATEMENT, ca, afterExpiry));
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void verify_garbageCertificate_refusedAsMalformed() {
    assertRefused(new ControlSeal("alice", new byte[] {0x30, 3, 1, 2, 3}, sealed.signature()), STATEMENT, "alice",
        "malformed certificate");
  }

  @Test
  void decode_ofEncode_isEqualAndStillVerifies() throws Exception {
    ControlSeal copy = ControlSeal.decode(sealed.encode());
    assertEquals(sealed, copy);
    assertEquals("alice", copy.verify(STATEMENT, ca, Instant.now()));
    byte[] encoded = sealed.encode();
    assertThrows(IllegalArgumentException.class, () -> ControlSeal.decode(Arrays.copyOf(encoded, encoded.length + 1)));
  }

  private static void assertRefused(ControlSeal seal, byte[] statement, String claimed, String reason) {
    SealVerificationException e = assertThrows(SealVerificationException.class,
        () -> seal.verify(statement, ca, Instant.now()));
    assertEquals(claimed, e.claimedSigner());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
