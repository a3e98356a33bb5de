package org.fedmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.fedmesh.protocols.AllReduceProtocol.Chunk;
import org.fedmesh.protocols.AllReduceProtocol.Command;
import org.fedmesh.protocols.AllReduceProtocol.Phase;
import org.fedmesh.protocols.AttemptId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Member 1 of a ring of three whose neighbours are probes: we play member 0 by hand, including its mistakes and a
 * forger's, and check that only the pieces that fit the schedule are ever applied.
 */
class RingAllReduceValidationTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final SecureRandom random = new SecureRandom();

  private TestProbe<Command> member0;
  private TestProbe<Command> member2;
  private TestProbe<RingAllReduce.Outcome> done;
  private ActorRef<Command> member1;
  private AttemptId attempt;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void ring() {
    member0 = testKit.createTestProbe();
    member2 = testKit.createTestProbe();
    done = testKit.createTestProbe();
    member1 = testKit.spawn(RingAllReduce.create(2));
    attempt = AttemptId.fresh(4, 1, random);
  }

  /** Vector of 6 in a ring of 3: segments [0,2) [2,4) [4,6), one piece each; member 1 owns the sum of [4,6). */
  @Test
  void schedule_honestPredecessor_sumsAndForwards() {
    member1.tell(new RingAllReduce.Expect(attempt, 3, 1, 6, false));
    // member 0's reduce-scatter piece arrives before member 1 has its own vector: it must wait, not be lost
    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, new long[] {10, 20}));
    member1.tell(new RingAllReduce.Start(attempt, List.of(member0.ref(), member1, member2.ref()), 1,
        new long[] {1, 2, 3, 4, 5, 6}, done.ref()));

    assertChunk(member2.receiveMessage(), Phase.REDUCE_SCATTER, 0, 2, new long[] {3, 4});
    assertChunk(member2.receiveMessage(), Phase.REDUCE_SCATTER, 1, 0, new long[] {11, 22});

    // segment [4,6) has been through member 2 (step 0) and member 0 (step 1): member 1 completes it
    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 1, 0, 4, new long[] {100, 200}));
    assertChunk(member2.receiveMessage(), Phase.ALL_GATHER, 0, 4, new long[] {105, 206});
    assertEquals(new RingAllReduce.SumRevealed(attempt), done.receiveMessage());

    member1.tell(new Chunk(attempt, Phase.ALL_GATHER, 0, 0, 2, new long[] {7, 8}));
    assertChunk(member2.receiveMessage(), Phase.ALL_GATHER, 1, 2, new long[] {7, 8});
    member1.tell(new Chunk(attempt, Phase.ALL_GATHER, 1, 0, 0, new long[] {-1, -2}));

    RingAllReduce.Completed completed = (RingAllReduce.Completed) done.receiveMessage();
    assertArrayEquals(new long[] {-1, -2, 7, 8, 105, 206}, completed.sum());
    member2.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void chunks_staleForgedOrRepeated_areDroppedNotApplied() {
    member1.tell(new RingAllReduce.Expect(attempt, 3, 1, 6, false));
    member1.tell(new RingAllReduce.Start(attempt, List.of(member0.ref(), member1, member2.ref()), 1,
        new long[] {1, 2, 3, 4, 5, 6}, done.ref()));
    member2.receiveMessage(); // its own segment at step 0

    AttemptId earlier = new AttemptId(attempt.round(), attempt.attempt() - 1, attempt.nonceHigh(), attempt.nonceLow());
    member1.tell(new Chunk(earlier, Phase.REDUCE_SCATTER, 0, 0, 0, new long[] {99, 99}));     // replayed attempt
    member1.tell(new Chunk(AttemptId.fresh(attempt.round(), attempt.attempt(), random),          // same numbers,
        Phase.REDUCE_SCATTER, 0, 0, 0, new long[] {99, 99}));                                     // other nonce
    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 2, 0, new long[] {99, 99}));     // not the predecessor
    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 1, 0, 0, new long[] {99, 99}));     // wrong step
    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 1, new long[] {99, 99}));     // not a piece start
    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, new long[] {99}));         // wrong length
    member2.expectNoMessage(Duration.ofMillis(200));

    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, new long[] {10, 20}));
    assertChunk(member2.receiveMessage(), Phase.REDUCE_SCATTER, 1, 0, new long[] {11, 22});
    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, new long[] {10, 20}));     // repeated
    member2.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void cancel_dropsTheAttempt_laterPiecesIgnored() {
    member1.tell(new RingAllReduce.Expect(attempt, 3, 1, 6, false));
    member1.tell(new RingAllReduce.Cancel(attempt));
    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, new long[] {10, 20}));
    AttemptId next = AttemptId.fresh(attempt.round(), attempt.attempt() + 1, random);
    member1.tell(new RingAllReduce.Start(next, List.of(member0.ref(), member1, member2.ref()), 1,
        new long[] {1, 2, 3, 4, 5, 6}, done.ref()));
    assertChunk(member2.receiveMessage(), Phase.REDUCE_SCATTER, 0, 2, new long[] {3, 4});
    member2.expectNoMessage(Duration.ofMillis(200));
  }

  // ---------------------------------------------------------------- authenticated (secure round)

  private static final byte[] KEY_01 = key(1);
  private static final byte[] KEY_12 = key(2);
  private static final byte[] KEY_10 = key(3);
  private static final byte[] KEY_21 = key(4);

  @Test
  void heldBeforeKeys_boundedAtAFixedMultipleOfThePiecesExpected() {
    member1.tell(new RingAllReduce.Expect(attempt, 3, 1, 6, true));
    // member 1 expects 2 pieces in each phase and, with double masking, 1 sent back: it holds at most twice those 5
    for (int i = 0; i < 20; i++) {
      member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, new long[] {i, i}, new byte[32]));
    }
    TestProbe<RingAllReduce.LinkReport> links = testKit.createTestProbe();
    member1.tell(new RingAllReduce.ReportLinks(attempt, links.ref()));
    RingAllReduce.LinkReport report = links.receiveMessage();
    assertEquals(RingAllReduce.HELD_PER_EXPECTED * 5, report.heldPieces());
    assertEquals(20 - RingAllReduce.HELD_PER_EXPECTED * 5, report.overflowPieces(),
        "counted, so that pieces missing afterwards accuse nobody");
  }

  @Test
  void forgedPieceBeforeTheGenuineOne_doesNotCrowdItOut() {
    member1.tell(new RingAllReduce.Expect(attempt, 3, 1, 6, true));
    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, new long[] {99, 99}, new byte[32]));
    member1.tell(signed(Phase.REDUCE_SCATTER, 0, 0, new long[] {10, 20}));
    member1.tell(new RingAllReduce.Keys(attempt, KEY_12, KEY_01, KEY_10, KEY_21));
    member1.tell(new RingAllReduce.Start(attempt, List.of(member0.ref(), member1, member2.ref()), 1,
        new long[] {1, 2, 3, 4, 5, 6}, done.ref()));
    assertChunk(member2.receiveMessage(), Phase.REDUCE_SCATTER, 0, 2, new long[] {3, 4});
    Chunk forwarded = (Chunk) member2.receiveMessage();
    assertArrayEquals(new long[] {11, 22}, forwarded.values(), "the genuine piece, not the forged one, was applied");
    assertTrue(new PieceMac(KEY_12).verifies(forwarded), "sent with the successor link's MAC");
    TestProbe<RingAllReduce.LinkReport> links = testKit.createTestProbe();
    member1.tell(new RingAllReduce.ReportLinks(attempt, links.ref()));
    RingAllReduce.LinkReport report = links.receiveMessage();
    assertEquals(1, report.forgedPieces());
    assertEquals(1, report.ownPiecesExpected());
    assertEquals(1, report.ownPiecesReceived());
  }

  @Test
  void authenticatedMisfit_isCountedAgainstThePredecessor_missingOwnPiecesReported() {
    member1.tell(new RingAllReduce.Expect(attempt, 3, 1, 6, true));
    member1.tell(new RingAllReduce.Keys(attempt, KEY_12, KEY_01, KEY_10, KEY_21));
    member1.tell(signed(Phase.REDUCE_SCATTER, 0, 0, new long[] {10}));  // wrong size, but member 0's MAC
    TestProbe<RingAllReduce.LinkReport> links = testKit.createTestProbe();
    member1.tell(new RingAllReduce.ReportLinks(attempt, links.ref()));
    RingAllReduce.LinkReport report = links.receiveMessage();
    assertTrue(report.known());
    assertEquals(0, report.predecessorIndex());
    assertEquals(1, report.misfitPieces());
    assertEquals(0, report.ownPiecesReceived());
    assertEquals(1, report.ownPiecesExpected());
  }

  @Test
  void reportLinks_unknownAttempt_accusesNobody() {
    TestProbe<RingAllReduce.LinkReport> links = testKit.createTestProbe();
    member1.tell(new RingAllReduce.ReportLinks(attempt, links.ref()));
    assertEquals(RingAllReduce.LinkReport.unknown(attempt), links.receiveMessage());
  }

  /**
   * With double masking member 1 keeps member 2's segment [0,2): the partial it passes member 2 plus member 2's own
   * words there, which only member 2 may send back (under their keep key). Member 1 sends member 0 its own words of
   * [4,6) as its ring starts.
   */
  @Test
  void keptSegment_onlyMember2sOwnWordsCount_forgedOrMisdirectedOnesAreDropped() {
    member1.tell(new RingAllReduce.Expect(attempt, 3, 1, 6, true));
    member1.tell(new RingAllReduce.Keys(attempt, KEY_12, KEY_01, KEY_10, KEY_21));
    member1.tell(new RingAllReduce.Start(attempt, List.of(member0.ref(), member1, member2.ref()), 1,
        new long[] {1, 2, 3, 4, 5, 6}, done.ref(), true));
    Chunk back = (Chunk) member0.receiveMessage();
    assertEquals(Phase.KEEP, back.phase());
    assertEquals(4, back.offset());
    assertArrayEquals(new long[] {5, 6}, back.values());
    assertTrue(new PieceMac(KEY_10).verifies(back), "sent back under the keep key of the link to member 0");
    assertChunk(member2.receiveMessage(), Phase.REDUCE_SCATTER, 0, 2, new long[] {3, 4});

    long[] junk = {99, 99};
    // a forger's words for member 2's segment (not under the keep key), and member 0 sending words back
    member1.tell(new Chunk(attempt, Phase.KEEP, 0, 2, 0, junk, new PieceMac(KEY_01).tag(attempt, Phase.KEEP, 0, 2,
        0, junk)));
    member1.tell(new Chunk(attempt, Phase.KEEP, 0, 0, 0, junk, new PieceMac(KEY_21).tag(attempt, Phase.KEEP, 0, 0,
        0, junk)));
    member1.tell(signed(Phase.REDUCE_SCATTER, 0, 0, new long[] {10, 20}));
    assertChunk(member2.receiveMessage(), Phase.REDUCE_SCATTER, 1, 0, new long[] {11, 22});
    long[] own2 = {7, 8};
    member1.tell(new Chunk(attempt, Phase.KEEP, 0, 2, 0, own2, new PieceMac(KEY_21).tag(attempt, Phase.KEEP, 0, 2,
        0, own2)));
    long[] again = {70, 80}; // member 2 itself, a second time at the same place: the first counts
    member1.tell(new Chunk(attempt, Phase.KEEP, 0, 2, 0, again, new PieceMac(KEY_21).tag(attempt, Phase.KEEP, 0, 2,
        0, again)));
    member1.tell(signed(Phase.REDUCE_SCATTER, 1, 4, new long[] {100, 200}));

    RingAllReduce.SegmentSummed summed = done.expectMessageClass(RingAllReduce.SegmentSummed.class);
    assertEquals(4, summed.offset());
    assertArrayEquals(new long[] {105, 206}, summed.values());
    assertEquals(0, summed.keptOffset());
    assertArrayEquals(new long[] {18, 30}, summed.kept(), "the passed partial {11, 22} plus member 2's own {7, 8}");
    TestProbe<RingAllReduce.LinkReport> links = testKit.createTestProbe();
    member1.tell(new RingAllReduce.ReportLinks(attempt, links.ref()));
    RingAllReduce.LinkReport report = links.receiveMessage();
    assertEquals(1, report.forgedPieces());
    assertEquals(0, report.misfitPieces(), "words sent back are not the predecessor's link: no blame there");
  }

  private Chunk signed(Phase phase, int step, int offset, long[] values) {
    return new Chunk(attempt, phase, step, 0, offset, values,
        new PieceMac(KEY_01).tag(attempt, phase, step, 0, offset, values));
  }

  private static byte[] key(int fill) {
    byte[] key = new byte[32];
    java.util.Arrays.fill(key, (byte) fill);
    return key;
  }

  private static void assertChunk(Command message, Phase phase, int step, int offset, long[] values) {
    Chunk chunk = (Chunk) message;
    assertEquals(phase, chunk.phase(), chunk.toString());
    assertEquals(step, chunk.step(), chunk.toString());
    assertEquals(1, chunk.senderIndex(), chunk.toString());
    assertEquals(offset, chunk.offset(), chunk.toString());
    assertArrayEquals(values, chunk.values(), chunk.toString());
  }
}
