package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.fedmesh.mpc.pki.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SignedRoundResultTest {

  static final byte[] NONCE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  static final String BEFORE = "aa".repeat(32);
  static final String AFTER = "bb".repeat(32);
  static final RoundResult RESULT = new RoundResult(7, 2, NONCE, List.of("alice", "bob", "carol"), BEFORE, AFTER);

  private static X509Certificate ca;
  private static SignedRoundResult signed;

  @BeforeAll
  static void signOne() {
    ca = TestPki.ca().certificate();
    signed = SignedRoundResult.sign(TestPki.alice(), RESULT);
  }

  @Test
  void verify_resultSignedByItsNode_accepted() {
    assertDoesNotThrow(() -> signed.verify(ca, Instant.now()));
  }

  static Stream<Arguments> tamperings() {
    byte[] otherNonce = NONCE.clone();
    otherNonce[15] ^= 1;
    return Stream.of(
        Arguments.of("round", (UnaryOperator<RoundResult>) r -> new RoundResult(8, 2, NONCE, r.ring(), BEFORE, AFTER)),
        Arguments.of("attempt", (UnaryOperator<RoundResult>) r -> new RoundResult(7, 3, NONCE, r.ring(), BEFORE,
            AFTER)),
        Arguments.of("nonce", (UnaryOperator<RoundResult>) r -> new RoundResult(7, 2, otherNonce, r.ring(), BEFORE,
            AFTER)),
        Arguments.of("ring", (UnaryOperator<RoundResult>) r -> new RoundResult(7, 2, NONCE, List.of("alice", "bob"),
            BEFORE, AFTER)),
        Arguments.of("ring order", (UnaryOperator<RoundResult>) r -> new RoundResult(7, 2, NONCE,
            List.of("bob", "alice", "carol"), BEFORE, AFTER)),
        Arguments.of("previous hash", (UnaryOperator<RoundResult>) r -> new RoundResult(7, 2, NONCE, r.ring(),
            "ab".repeat(32), AFTER)),
        Arguments.of("new hash", (UnaryOperator<RoundResult>) r -> new RoundResult(7, 2, NONCE, r.ring(), BEFORE,
            "cc".repeat(32))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperings")
  void verify_tamperedField_refusedForBadSignature(String field, UnaryOperator<RoundResult> tamper) {
    SignedRoundResult tampered = new SignedRoundResult(tamper.apply(RESULT), "alice", signed.signature(),
        signed.certificateDer());
    CommitVerificationException e = assertThrows(CommitVerificationException.class,
        () -> tampered.verify(ca, Instant.now()));
    assertEquals("alice", e.culprit());
    assertTrue(e.getMessage().contains("bad signature"), e.getMessage());
  }

  @Test
  void verify_tamperedNodeId_refusedForCertificateName() {
    SignedRoundResult renamed = new SignedRoundResult(RESULT, "bob", signed.signature(), signed.certificateDer());
    assertRefused(renamed, "bob", "certificate of 'alice', not of 'bob'");
  }

  @Test
  void verify_flippedSignatureByte_refused() {
    byte[] signature = signed.signature();
    signature[10] ^= 1;
    assertRefused(new SignedRoundResult(RESULT, "alice", signature, signed.certificateDer()), "alice",
        "bad signature");
  }

  @Test
  void verify_otherMemberSigningInAlicesName_refused() {
    byte[] bobs = IdentitySignatures.sign(TestPki.bob().privateKey(), RESULT.signedPayload("alice"));
    SignedRoundResult forged = new SignedRoundResult(RESULT, "alice", bobs,
        SignedRoundResult.sign(TestPki.bob(), RESULT).certificateDer());
    assertRefused(forged, "alice", "certificate of 'bob'");
  }

  @Test
  void verify_certificateFromAnotherCa_refused() {
    assertRefused(SignedRoundResult.sign(TestPki.aliceOfOtherCa(), RESULT), "alice", "not from this consortium's CA");
  }

  @Test
  void verify_certificateFromImpostorCaWithSameName_refused() {
    assertRefused(SignedRoundResult.sign(TestPki.aliceOfImpostorCa(), RESULT), "alice",
        "not signed by this consortium's CA");
  }

  @Test
  void verify_expiredCertificate_refused() {
    Instant afterExpiry = Instant.now().plus(TestPki.MEMBER_VALIDITY).plus(Duration.ofDays(1));
    CommitVerificationException e = assertThrows(CommitVerificationException.class,
        () -> signed.verify(ca, afterExpiry));
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void checkSignature_withoutTheCa_acceptsAGoodSignatureAndRefusesAnAlteredOne() {
    assertDoesNotThrow(() -> SignedRoundResult.sign(TestPki.aliceOfOtherCa(), RESULT).checkSignature());
    SignedRoundResult altered = new SignedRoundResult(new RoundResult(7, 2, NONCE, RESULT.ring(), BEFORE, BEFORE),
        "alice", signed.signature(), signed.certificateDer());
    assertThrows(CommitVerificationException.class, altered::checkSignature);
  }

  @Test
  void verify_garbageCertificate_refusedAsMalformed() {
    assertRefused(new SignedRoundResult(RESULT, "alice", signed.signature(), new byte[] {0x30, 3, 1, 2, 3}), "alice",
        "malformed certificate");
  }

  @Test
  void decode_ofEncode_isEqualAndStillVerifies() throws Exception {
    SignedRoundResult copy = SignedRoundResult.decode(signed.encode());
    assertEquals(signed, copy);
    copy.verify(ca, Instant.now());
  }

  @Test
  void decode_truncatedOrTrailingBytes_refused() {
    byte[] encoded = signed.encode();
    assertThrows(IllegalArgumentException.class,
        () -> SignedRoundResult.decode(java.util.Arrays.copyOf(encoded, encoded.length - 1)));
    assertThrows(IllegalArgumentException.class,
        () -> SignedRoundResult.decode(java.util.Arrays.copyOf(encoded, encoded.length + 1)));
    assertThrows(IllegalArgumentException.class, () -> SignedRoundResult.decode(new byte[] {0, 0, 0, 9}));
  }

  private static void assertRefused(SignedRoundResult s, String culprit, String reason) {
    CommitVerificationException e = assertThrows(CommitVerificationException.class,
        () -> s.verify(ca, Instant.now()));
    assertEquals(culprit, e.culprit());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertTrue(e.getMessage().contains("node '" + culprit + "'"), e.getMessage());
  }
}
