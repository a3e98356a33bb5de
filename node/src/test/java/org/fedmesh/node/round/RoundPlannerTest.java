package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.fedmesh.node.round.NextStep.AwaitCatchUp;
import org.fedmesh.node.round.NextStep.BringUpToDate;
import org.fedmesh.node.round.NextStep.CompleteInFlight;
import org.fedmesh.node.round.NextStep.Finished;
import org.fedmesh.node.round.NextStep.Pause;
import org.fedmesh.node.round.NextStep.RecoverInFlight;
import org.fedmesh.node.round.NextStep.StartAttempt;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.mpc.RoundResult;
import org.fedmesh.mpc.SignedAttestation;
import org.fedmesh.mpc.SumHeld;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.Attestation;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.ResultSignature;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's decisions as a table: member statuses and history in, next step out. No actor runs; the test
 * kit only makes the refs that statuses carry.
 */
class RoundPlannerTest {
  private static final String H3 = "h3".repeat(32);
  private static final String H4 = "h4".repeat(32);
  private static final String OTHER = "ff".repeat(32);
  private static final int MIN = 2;
  private static final long UNLIMITED = 0;

  private static ActorTestKit kit;
  private static final Map<String, RingMember> members = new HashMap<>();

  @BeforeAll
  static void refs() {
    kit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static RingMember member(String id) {
    return members.computeIfAbsent(id, n -> new RingMember(n, kit.<ParticipantCommand>createTestProbe().ref(),
        kit.<AllReduceProtocol.Command>createTestProbe().ref()));
  }

  private static MemberStatus at(String id, long round, String hash) {
    return new MemberStatus(member(id), round, hash, null, null, null, null, null);
  }

  private static MemberStatus proven(String id, long round, String hash, CommitProof certificate) {
    return new MemberStatus(member(id), round, hash, certificate, null, null, null, null);
  }

  /** {@code id} holds {@code result} of {@code attempt} pending, signed as a member of the ring a, b. */
  private static MemberStatus pending(String id, long round, String hash, AttemptId attempt, String result) {
    return pending(id, round, hash, attempt, result, List.of("a", "b"));
  }

  private static MemberStatus pending(String id, long round, String hash, AttemptId attempt, String result,
                                      List<String> ring) {
    ResultSignature signature = TestSignatures.sign(TestSignatures.identity("planner", id),
        TestSignatures.result(attempt, ring, hash, result));
    return new MemberStatus(member(id), round, hash, null, attempt, result, signature, null);
  }

  private static MemberStatus revealed(String id, long round, String hash, AttemptId attempt) {
    return new MemberStatus(member(id), round, hash, null, null, null, null, attempt);
  }

  private static AttemptId attempt(long round, int number) {
    return new AttemptId(round, number, 1, 2);
  }

  private static NextStep next(List<MemberStatus> statuses, RoundHistory history) {
    return RoundPlanner.next(statuses, history, 3, MIN, UNLIMITED);
  }

  private static List<RingMember> ring(String... ids) {
    return Arrays.stream(ids).map(RoundPlannerTest::member).toList();
  }

  @Test
  void next_allHoldTheLatestModel_startsTheNextRoundWithAll() {
    StartAttempt start = assertInstanceOf(StartAttempt.class,
        next(List.of(at("c", 3, H3), at("a", 3, H3), at("b", 3, H3)), RoundHistory.EMPTY));
    assertEquals(4, start.round());
    assertEquals(1, start.attempt());
    assertEquals(ring("a", "b", "c"), start.ring(), "ring in node id order");
    assertEquals(H3, start.baseHash());
    assertTrue(start.findings().disagreeingHashes().isEmpty());
  }

  @Test
  void next_twoHoldersAgreeOnTheResultInFlight_completesIt() {
    AttemptId inFlight = attempt(4, 2);
    CompleteInFlight complete = assertInstanceOf(CompleteInFlight.class, next(List.of(
        pending("b", 3, H3, inFlight, H4), at("c", 3, H3), pending("a", 3, H3, inFlight, H4)), RoundHistory.EMPTY));
    assertEquals(inFlight, complete.attempt());
    assertEquals(ring("a", "b"), complete.ring());
    assertEquals(H4, complete.resultHash());
    assertEquals(3, complete.currentMembers());
    CommitCertificate certificate = CommitCertificate.decode(complete.certificate().encoded());
    assertEquals(List.of("a", "b"), certificate.signers().stream().sorted().toList());
    assertEquals(H3, certificate.result().previousHash());
    assertEquals(H4, certificate.result().newHash());
  }

  @Test
  void next_holdersLackTheSignatureOfARingMemberThatIsGone_startsTheRoundAgain() {
    AttemptId inFlight = attempt(4, 2);
    List<String> ring = List.of("a", "b", "d");
    List<MemberStatus> statuses = new ArrayList<>(List.of(pending("a", 3, H3, inFlight, H4, ring),
        pending("b", 3, H3, inFlight, H4, ring), at("c", 3, H3)));
    // both holders saw the sum: retrying with the same updates and fewer members would reveal d's
    statuses.replaceAll(s -> s.pendingAttempt() == null ? s : new MemberStatus(s.member(), s.committedRound(),
        s.committedHash(), null, s.pendingAttempt(), s.pendingHash(), s.pendingSignature(), inFlight));
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(statuses, RoundHistory.EMPTY.withAttempt(4, 2)));
    assertEquals(3, start.attempt());
    assertEquals(ring("a", "b", "c"), start.ring());
  }

  /**
   * The coordinator's host, d, was lost after every participant attested and decoded, before the commit; the new
   * coordinator finds a and b holding the result, and d's signed attestation among those they hand in.
   */
  @Test
  void next_holdersHandInTheAttestationOfARingMemberThatIsGone_completeTheAttemptWithoutIt() {
    AttemptId inFlight = attempt(4, 2);
    List<String> ring = List.of("a", "b", "d");
    RoundResult result = TestSignatures.result(inFlight, ring, H3, H4);
    Attestation ofD = new Attestation(SignedAttestation.sign(TestSignatures.identity("planner", "d"),
        SumHeld.of(result)).encode());
    List<MemberStatus> statuses = List.of(withAttestations(pending("a", 3, H3, inFlight, H4, ring), List.of(ofD)),
        pending("b", 3, H3, inFlight, H4, ring), at("c", 3, H3));
    CompleteInFlight complete = assertInstanceOf(CompleteInFlight.class, next(statuses, RoundHistory.EMPTY));
    assertEquals(inFlight, complete.attempt());
    assertEquals(ring("a", "b"), complete.ring());
    CommitCertificate certificate = CommitCertificate.decode(complete.certificate().encoded());
    assertEquals(List.of("a", "b"), certificate.signers().stream().sorted().toList());
    assertEquals(List.of("d"), certificate.attestations().stream().map(SignedAttestation::nodeId).toList());

    // Without a majority of the consortium among the signers (2 of 4 trainers), or with an attestation of another
    // attempt, or one signed by another member in d's name, the round starts again.
    assertInstanceOf(StartAttempt.class, RoundPlanner.next(statuses, RoundHistory.EMPTY, 4, MIN, UNLIMITED));
    Attestation otherAttempt = new Attestation(SignedAttestation.sign(TestSignatures.identity("planner", "d"),
        SumHeld.of(TestSignatures.result(attempt(4, 1), ring, H3, H4))).encode());
    SignedAttestation genuine = SignedAttestation.decode(ofD.encoded());
    Attestation forged = new Attestation(new SignedAttestation(genuine.statement(), "d",
        SignedAttestation.sign(TestSignatures.identity("planner", "a"), genuine.statement()).signature(),
        genuine.certificateDer()).encode());
    for (Attestation wrong : List.of(otherAttempt, forged)) {
      assertInstanceOf(StartAttempt.class, next(List.of(withAttestations(pending("a", 3, H3, inFlight, H4, ring),
          List.of(wrong)), pending("b", 3, H3, inFlight, H4, ring), at("c", 3, H3)), RoundHistory.EMPTY), wrong
          == forged ? "forged in d's name" : "another attempt's");
    }
  }

  /** {@code id} revealed its seed in {@code attempt} of ring {@code ring}, whose session still lives, no result yet. */
  private static MemberStatus revealedIn(String id, AttemptId attempt, List<String> ring) {
    return new MemberStatus(member(id), 3, H3, null, null, null, null, attempt, attempt, List.of(), ring);
  }

  /**
   * The coordinator's host, d, was lost after every participant attested, before the others decoded: a and b,
   * which revealed, are told to complete the attempt without d, at most {@link RoundHistory#MAX_RECOVERIES} times.
   */
  @Test
  void next_survivorsThatAllRevealed_areToldToCompleteTheAttemptWithoutTheLostMember() {
    AttemptId inFlight = attempt(4, 2);
    List<String> ring = List.of("a", "b", "d");
    List<MemberStatus> statuses = List.of(revealedIn("a", inFlight, ring), revealedIn("b", inFlight, ring),
        at("c", 3, H3));
    RecoverInFlight recover = assertInstanceOf(RecoverInFlight.class, next(statuses, RoundHistory.EMPTY));
    assertEquals(inFlight, recover.attempt());
    assertEquals(ring("a", "b"), recover.survivors());
    assertEquals(List.of("d"), recover.lost());

    // b's ring finished before the loss, so it holds the result already: a still waits, so both are told (b serves
    // its part from the whole sum).
    MemberStatus bHolds = new MemberStatus(member("b"), 3, H3, null, inFlight, H4, null, inFlight, inFlight,
        List.of(), ring);
    RecoverInFlight again = assertInstanceOf(RecoverInFlight.class, next(List.of(revealedIn("a", inFlight, ring),
        bHolds, at("c", 3, H3)), RoundHistory.EMPTY));
    assertEquals(ring("a", "b"), again.survivors());

    RoundHistory tried = RoundHistory.EMPTY;
    for (int i = 0; i < RoundHistory.MAX_RECOVERIES; i++) {
      tried = tried.withRecovery(inFlight);
    }
    assertInstanceOf(StartAttempt.class, next(statuses, tried.withAttempt(4, 2)), "told often enough");
    assertInstanceOf(StartAttempt.class, RoundPlanner.next(statuses, RoundHistory.EMPTY.withAttempt(4, 2), 4, MIN,
        UNLIMITED), "2 of 4 trainers are no majority");
    assertInstanceOf(StartAttempt.class, next(List.of(revealedIn("a", inFlight, ring),
        revealed("b", 3, H3, inFlight), at("c", 3, H3)), RoundHistory.EMPTY.withAttempt(4, 2)),
        "b's session of it is gone: it cannot complete it");
    assertInstanceOf(StartAttempt.class, next(List.of(revealedIn("a", inFlight, ring), at("b", 3, H3),
        at("c", 3, H3)), RoundHistory.EMPTY.withAttempt(4, 2)), "b did not reveal: it misses an attestation");
  }

  private static MemberStatus withAttestations(MemberStatus s, List<Attestation> attestations) {
    return new MemberStatus(s.member(), s.committedRound(), s.committedHash(), s.committedCertificate(),
        s.pendingAttempt(), s.pendingHash(), s.pendingSignature(), s.revealedAttempt(), s.takenAttempt(),
        attestations, s.revealedRing());
  }

  @Test
  void next_oneHolderOnly_startsTheRoundAgainWithAHigherAttempt() {
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(List.of(
        pending("a", 3, H3, attempt(4, 2), H4), at("b", 3, H3), at("c", 3, H3)), RoundHistory.EMPTY));
    assertEquals(3, start.attempt());
  }

  @Test
  void next_holdersDisagree_startsTheRoundAgain() {
    AttemptId inFlight = attempt(4, 1);
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(List.of(
        pending("a", 3, H3, inFlight, H4), pending("b", 3, H3, inFlight, OTHER), at("c", 3, H3)),
        RoundHistory.EMPTY));
    assertEquals(4, start.round());
    assertEquals(2, start.attempt());
    assertEquals(ring("a", "b", "c"), start.ring());
    assertTrue(start.findings().conflictingResults());
  }

  @Test
  void next_revealedAttempt_isNumberedAfter() {
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(List.of(
        at("a", 3, H3), revealed("b", 3, H3, attempt(4, 5)), at("c", 3, H3)), RoundHistory.EMPTY.withAttempt(4, 2)));
    assertEquals(6, start.attempt());
  }

  @Test
  void next_memberTookPartInALaterAttemptThanTheCoordinatorKnows_numbersTheNextOneAfterIt() {
    MemberStatus took = new MemberStatus(member("b"), 3, H3, null, null, null, null, null, attempt(4, 5));
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(List.of(
        at("a", 3, H3), took, at("c", 3, H3)), RoundHistory.EMPTY));
    assertEquals(6, start.attempt());
  }

  @Test
  void next_earlierAttemptsOfTheRound_numbersTheNextOneAfterThem() {
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(List.of(
        at("a", 3, H3), at("b", 3, H3), at("c", 3, H3)), RoundHistory.EMPTY.withAttempt(4, 7)));
    assertEquals(8, start.attempt());
  }

  @Test
  void next_fewerAnswersThanMinParticipants_pauses() {
    Pause pause = assertInstanceOf(Pause.class,
        RoundPlanner.next(List.of(at("a", 3, H3), at("b", 3, H3)), RoundHistory.EMPTY, 3, 3, UNLIMITED));
    assertTrue(pause.reason().contains("only 2 participant(s) answered"), pause.reason());
  }

  @Test
  void next_ringNotAMajorityOfTheClusterMembers_pauses() {
    Pause pause = assertInstanceOf(Pause.class, RoundPlanner.next(
        List.of(at("a", 3, H3), at("b", 3, H3), at("c", 3, H3)), RoundHistory.EMPTY, 6, MIN, UNLIMITED));
    assertTrue(pause.reason().contains("majority"), pause.reason());
  }

  @Test
  void next_fewerThanMinParticipantsOnceAStragglerIsOut_takesItAlongRatherThanStopping() {
    StartAttempt start = assertInstanceOf(StartAttempt.class, RoundPlanner.next(
        List.of(at("a", 3, H3), at("b", 3, H3), at("c", 3, H3)), RoundHistory.EMPTY.withExcluded(4, Set.of("c")), 3,
        3, UNLIMITED));
    assertEquals(ring("a", "b", "c"), start.ring());
  }

  @Test
  void next_stragglerExcludedFromTheRound_startsWithoutIt() {
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(List.of(
        at("a", 3, H3), at("b", 3, H3), at("c", 3, H3)), RoundHistory.EMPTY.withExcluded(4, Set.of("c"))));
    assertEquals(ring("a", "b"), start.ring());
    assertEquals(Set.of("c"), start.leftOut());
  }

  @Test
  void next_stragglerOfTheRoundBefore_sitsOutThisOneToo() {
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(List.of(
        at("a", 3, H3), at("b", 3, H3), at("c", 3, H3)), RoundHistory.EMPTY.withExcluded(3, Set.of("c"))));
    assertEquals(ring("a", "b"), start.ring());
    assertEquals(Set.of("c"), start.leftOut());
  }

  @Test
  void next_withoutTheStragglerNoRoundCouldStart_takesItAlong() {
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(List.of(
        at("a", 3, H3), at("b", 3, H3), at("c", 3, H3)), RoundHistory.EMPTY.withExcluded(4, Set.of("b", "c"))));
    assertEquals(ring("a", "b", "c"), start.ring());
    assertEquals(Set.of(), start.leftOut());
  }

  @Test
  void next_stragglerTwoRoundsBack_takesPartAgain() {
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(List.of(
        at("a", 3, H3), at("b", 3, H3), at("c", 3, H3)), RoundHistory.EMPTY.withExcluded(2, Set.of("c"))));
    assertEquals(ring("a", "b", "c"), start.ring());
  }

  @Test
  void next_memberFurtherBehind_waitsForItsCatchUpOnlyOncePerRound() {
    List<MemberStatus> statuses = List.of(at("a", 3, H3), at("b", 3, H3), at("c", 3, H3), at("d", 1, "h1"));

    BringUpToDate first = assertInstanceOf(BringUpToDate.class, next(statuses, RoundHistory.EMPTY));
    assertEquals(List.of(new BringUpToDate.Behind(member("d"), 1)), first.behind());
    assertTrue(first.missedCommits().isEmpty());
    assertEquals(3, first.round());
    assertEquals(H3, first.hash());
    assertEquals(ring("a", "b", "c").stream().map(RingMember::participant).toList(), first.sources());
    AwaitCatchUp await = assertInstanceOf(AwaitCatchUp.class, first.then());
    assertTrue(first.awaits());
    assertEquals(Set.of("d"), await.nodeIds());
    assertEquals(3, await.round());

    // The coordinator records the wait; the same survey again sends the catch-up but starts the round.
    BringUpToDate second = assertInstanceOf(BringUpToDate.class,
        next(statuses, RoundHistory.EMPTY.withCatchUpWaitBefore(await.round() + 1)));
    assertEquals(first.behind(), second.behind());
    assertFalse(second.awaits());
    StartAttempt start = assertInstanceOf(StartAttempt.class, second.then());
    assertEquals(ring("a", "b", "c"), start.ring());
  }

  @Test
  void next_memberMissedTheCommitOfTheLatestRound_getsTheCommitWithoutWaiting() {
    AttemptId committed = attempt(4, 1);
    CommitProof certificate = TestSignatures.certificate("planner",
        TestSignatures.result(committed, List.of("a", "b"), H3, H4));
    BringUpToDate step = assertInstanceOf(BringUpToDate.class, next(List.of(
        at("a", 4, H4), proven("b", 4, H4, certificate), pending("c", 3, H3, committed, H4)), RoundHistory.EMPTY));
    assertEquals(List.of(new BringUpToDate.MissedCommit(member("c"), committed)), step.missedCommits());
    assertEquals(certificate, step.certificate(), "the commit goes out with the round's certificate");
    assertTrue(step.behind().isEmpty());
    assertEquals(H4, step.hash());
    StartAttempt start = assertInstanceOf(StartAttempt.class, step.then());
    assertEquals(5, start.round());
    assertEquals(ring("a", "b"), start.ring());
  }

  @Test
  void next_memberOneRoundBehindHoldingAnotherResult_catchesUpInstead() {
    BringUpToDate step = assertInstanceOf(BringUpToDate.class, next(List.of(
        at("a", 4, H4), at("b", 4, H4), pending("c", 3, H3, attempt(4, 1), OTHER)), RoundHistory.EMPTY));
    assertTrue(step.missedCommits().isEmpty());
    assertEquals(List.of(new BringUpToDate.Behind(member("c"), 3)), step.behind());
    assertTrue(step.awaits());
  }

  @Test
  void next_allRoundsCommitted_finishes() {
    Finished finished = assertInstanceOf(Finished.class, RoundPlanner.next(
        List.of(at("a", 5, H4), at("b", 5, H4), at("c", 5, H4)), RoundHistory.EMPTY, 3, MIN, 5));
    assertEquals(5, finished.round());
    assertEquals(H4, finished.hash());
    assertTrue(finished.membersBehind().isEmpty());
  }

  @Test
  void next_allRoundsCommittedAndAMemberBehind_bringsItUpToDateWithoutWaiting() {
    BringUpToDate step = assertInstanceOf(BringUpToDate.class, RoundPlanner.next(
        List.of(at("a", 5, H4), at("b", 5, H4), at("c", 2, H3)), RoundHistory.EMPTY, 3, MIN, 5));
    assertEquals(List.of(new BringUpToDate.Behind(member("c"), 2)), step.behind());
    assertEquals(Set.of("c"), assertInstanceOf(Finished.class, step.then()).membersBehind());
  }

  @Test
  void next_membersDisagreeOnTheLatestModel_reportsItAndGoesOnWithTheMajority() {
    StartAttempt start = assertInstanceOf(StartAttempt.class, next(List.of(
        at("a", 3, H3), at("b", 3, OTHER), at("c", 3, H3)), RoundHistory.EMPTY));
    assertEquals(ring("a", "c"), start.ring());
    assertEquals(Map.of(H3, 2L, OTHER, 1L), start.findings().disagreeingHashes());
    assertEquals(3, start.findings().latestRound());
  }

  // ---------------------------------------------------------------- sums that do not decode

  private static final int MAX_GARBAGE = 3;

  private static RoundHistory undecodable(long round, Set<String> participants, int times) {
    RoundHistory h = RoundHistory.EMPTY;
    for (int i = 0; i < times; i++) {
      h = h.withUndecodable(round, participants);
    }
    return h;
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> undecodableTable() {
    Set<String> abc = Set.of("a", "b", "c");
    return java.util.stream.Stream.of(
        // history, who answers, pauses?
        org.junit.jupiter.params.provider.Arguments.of("below the limit", undecodable(4, abc, 2), abc, false),
        org.junit.jupiter.params.provider.Arguments.of("at the limit, same members", undecodable(4, abc, 3), abc,
            true),
        org.junit.jupiter.params.provider.Arguments.of("at the limit, a member revoked", undecodable(4, abc, 3),
            Set.of("a", "b"), false),
        org.junit.jupiter.params.provider.Arguments.of("at the limit, a member joined",
            undecodable(4, Set.of("a", "b"), 3), abc, false),
        org.junit.jupiter.params.provider.Arguments.of("at the limit, long backoff over",
            undecodable(4, abc, 3).withUndecodableRetryAllowed(), abc, false),
        org.junit.jupiter.params.provider.Arguments.of("the retry after the backoff failed too",
            undecodable(4, abc, 3).withUndecodableRetryAllowed().withUndecodable(4, abc), abc, true),
        org.junit.jupiter.params.provider.Arguments.of("an earlier round's garbage", undecodable(3, abc, 5), abc,
            false));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("undecodableTable")
  void next_afterSumsThatDoNotDecode_pausesOnlyAtTheLimitWithTheSameMembers(String name, RoundHistory history,
                                                                             Set<String> answering, boolean pauses) {
    List<MemberStatus> statuses = answering.stream().sorted().map(id -> at(id, 3, H3)).toList();
    NextStep step = RoundPlanner.next(statuses, history, answering.size(), MIN, UNLIMITED, MAX_GARBAGE);
    if (pauses) {
      NextStep.PauseUndecodable pause = assertInstanceOf(NextStep.PauseUndecodable.class, step);
      assertEquals(4, pause.round());
      assertEquals(answering, pause.participants());
    } else {
      assertInstanceOf(StartAttempt.class, step);
    }
  }
}
