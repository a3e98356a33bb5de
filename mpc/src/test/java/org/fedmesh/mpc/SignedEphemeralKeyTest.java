package org.fedmesh.mpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.mpc.pki.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SignedEphemeralKeyTest {

  private static final long ROUND = 42;
  private static final int ATTEMPT = 3;
  private static final byte[] NONCE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

  private static X509Certificate ca;
  private static MemberIdentity alice;
  private static MemberIdentity bob;
  private static byte[] publicKey;
  private static SignedEphemeralKey signed;
  private static final byte[] COMMITMENT = SelfMaskReveal.commitment("alice", ROUND, ATTEMPT, NONCE, new byte[32]);

  @BeforeAll
  static void signOneKey() {
    ca = TestPki.ca().certificate();
    alice = TestPki.alice();
    bob = TestPki.bob();
    publicKey = EphemeralKeyPair.generate(new SecureRandom()).publicKey();
    signed = SignedEphemeralKey.sign(alice, ROUND, ATTEMPT, NONCE, publicKey, COMMITMENT);
  }

  @Test
  void verify_keySignedByItsNode_accepted() {
    assertDoesNotThrow(() -> signed.verify(ca, "alice", ROUND, ATTEMPT, NONCE.clone(), Instant.now()));
    assertArrayEquals(publicKey, signed.publicKey());
  }

  @Test
  void verify_tamperedPublicKey_refusedForBadSignature() {
    byte[] tampered = signed.publicKey();
    tampered[5] ^= 1;
    assertRefused(withPublicKey(signed, tampered), "bad signature");
  }

  @Test
  void verify_wrongRound_refused() {
    KeyVerificationException e = assertThrows(KeyVerificationException.class,
        () -> signed.verify(ca, "alice", ROUND + 1, ATTEMPT, NONCE, Instant.now()));
    assertMentions(e, "round 42 attempt 3, expected round 43 attempt 3");
  }

  @Test
  void verify_wrongAttempt_refused() {
    KeyVerificationException e = assertThrows(KeyVerificationException.class,
        () -> signed.verify(ca, "alice", ROUND, ATTEMPT + 1, NONCE, Instant.now()));
    assertMentions(e, "expected round 42 attempt 4");
  }

  @Test
  void verify_wrongNonce_refused() {
    byte[] otherNonce = NONCE.clone();
    otherNonce[0] = 99;
    KeyVerificationException e = assertThrows(KeyVerificationException.class,
        () -> signed.verify(ca, "alice", ROUND, ATTEMPT, otherNonce, Instant.now()));
    assertMentions(e, "nonce");
  }

  @Test
  void verify_roundAlteredInRecord_refusedForBadSignature() {
    SignedEphemeralKey replayed = new SignedEphemeralKey("alice", ROUND + 1, ATTEMPT, NONCE, publicKey,
        COMMITMENT, signed.signature(), signed.certificateDer());
    KeyVerificationException e = assertThrows(KeyVerificationException.class,
        () -> replayed.verify(ca, "alice", ROUND + 1, ATTEMPT, NONCE, Instant.now()));
    assertMentions(e, "bad signature");
  }

  @Test
  void verify_seedCommitmentAltered_refusedForBadSignature() {
    byte[] other = COMMITMENT.clone();
    other[0] ^= 1;
    SignedEphemeralKey altered = new SignedEphemeralKey("alice", ROUND, ATTEMPT, NONCE, publicKey, other,
        signed.signature(), signed.certificateDer());
    assertRefused(altered, "bad signature");
    assertArrayEquals(COMMITMENT, signed.seedCommitment());
  }

  @Test
  void verify_otherNodeSigningInThisNodesName_refusedForCertificateName() {
    // bob signs a payload claiming to be alice, with his own (valid) certificate.
    byte[] payload = SignedEphemeralKey.signedPayload("alice", ROUND, ATTEMPT, NONCE, publicKey, COMMITMENT);
    SignedEphemeralKey forged = new SignedEphemeralKey("alice", ROUND, ATTEMPT, NONCE, publicKey, COMMITMENT,
        IdentitySignatures.sign(bob.privateKey(), payload), signed(bob).certificateDer());
    KeyVerificationException e = assertThrows(KeyVerificationException.class,
        () -> forged.verify(ca, "alice", ROUND, ATTEMPT, NONCE, Instant.now()));
    assertMentions(e, "certificate of 'bob'");
  }

  @Test
  void verify_keyOfAnotherNode_refusedForClaimedName() {
    KeyVerificationException e = assertThrows(KeyVerificationException.class,
        () -> signed(bob).verify(ca, "alice", ROUND, ATTEMPT, NONCE, Instant.now()));
    assertMentions(e, "claims to be from node 'bob'");
  }

  @Test
  void verify_certificateFromAnotherCa_refused() {
    SignedEphemeralKey foreign = signed(TestPki.aliceOfOtherCa());
    KeyVerificationException e = assertThrows(KeyVerificationException.class,
        () -> foreign.verify(ca, "alice", ROUND, ATTEMPT, NONCE, Instant.now()));
    assertMentions(e, "not from this consortium's CA");
  }

  @Test
  void verify_certificateFromImpostorCaWithSameName_refused() {
    SignedEphemeralKey foreign = signed(TestPki.aliceOfImpostorCa());
    KeyVerificationException e = assertThrows(KeyVerificationException.class,
        () -> foreign.verify(ca, "alice", ROUND, ATTEMPT, NONCE, Instant.now()));
    assertMentions(e, "not signed by this consortium's CA");
  }

  @Test
  void verify_expiredCertificate_refused() {
    Instant afterExpiry = Instant.now().plus(TestPki.MEMBER_VALIDITY).plus(Duration.ofDays(1));
    KeyVerificationException e = assertThrows(KeyVerificationException.class,
        () -> signed.verify(ca, "alice", ROUND, ATTEMPT, NONCE, afterExpiry));
    assertMentions(e, "expired");
  }

  @Test
  void verify_garbageCertificate_refusedAsMalformed() {
    SignedEphemeralKey garbage = new SignedEphemeralKey("alice", ROUND, ATTEMPT, NONCE, publicKey, COMMITMENT,
        signed.signature(), new byte[] {0x30, 0x03, 1, 2, 3});
    assertRefused(garbage, "malformed certificate");
  }

  @Test
  void verify_missingFieldsOrShortKey_refusedAsMalformed() {
    assertRefused(new SignedEphemeralKey("alice", ROUND, ATTEMPT, NONCE, publicKey, COMMITMENT, null,
        signed.certificateDer()), "signature is missing");
    assertRefused(new SignedEphemeralKey("alice", ROUND, ATTEMPT, NONCE, publicKey, new byte[31], signed.signature(),
        signed.certificateDer()), "seed commitment has 31 bytes");
    assertRefused(withPublicKey(signed, new byte[31]), "31 bytes");
  }

  @Test
  void equals_sameContentInFreshArrays_equalWithSameHashCode() {
    SignedEphemeralKey copy = new SignedEphemeralKey(signed.nodeId(), signed.round(), signed.attempt(),
        signed.nonce(), signed.publicKey(), signed.seedCommitment(), signed.signature(), signed.certificateDer());
    assertEquals(signed, copy);
    assertEquals(signed.hashCode(), copy.hashCode());
    assertNotEquals(signed, withPublicKey(signed, new byte[32]));
    assertTrue(signed.toString().contains("nodeId=alice"), signed.toString());
  }

  @Test
  void accessors_mutatingReturnedArray_leavesRecordUnchanged() {
    signed.nonce()[0] = 77;
    assertArrayEquals(NONCE, signed.nonce());
  }

  private static SignedEphemeralKey signed(MemberIdentity identity) {
    return SignedEphemeralKey.sign(identity, ROUND, ATTEMPT, NONCE, publicKey, COMMITMENT);
  }

  private static SignedEphemeralKey withPublicKey(SignedEphemeralKey key, byte[] newPublicKey) {
    return new SignedEphemeralKey(key.nodeId(), key.round(), key.attempt(), key.nonce(), newPublicKey,
        key.seedCommitment(), key.signature(), key.certificateDer());
  }

  private static void assertRefused(SignedEphemeralKey key, String reason) {
    KeyVerificationException e = assertThrows(KeyVerificationException.class,
        () -> key.verify(ca, "alice", ROUND, ATTEMPT, NONCE, Instant.now()));
    assertMentions(e, reason);
  }

  /** Every refusal names the node it expected the key from, and the specific reason. */
  private static void assertMentions(KeyVerificationException e, String reason) {
    assertTrue(e.getMessage().contains("node 'alice'"), e.getMessage());
    assertEquals("alice", e.nodeId());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
