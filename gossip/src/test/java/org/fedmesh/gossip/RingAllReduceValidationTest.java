package org.fedmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
    member1.tell(new RingAllReduce.Expect(attempt, 3, 1, 6));
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
    member1.tell(new RingAllReduce.Expect(attempt, 3, 1, 6));
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
    member1.tell(new RingAllReduce.Expect(attempt, 3, 1, 6));
    member1.tell(new RingAllReduce.Cancel(attempt));
    member1.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, new long[] {10, 20}));
    AttemptId next = AttemptId.fresh(attempt.round(), attempt.attempt() + 1, random);
    member1.tell(new RingAllReduce.Start(next, List.of(member0.ref(), member1, member2.ref()), 1,
        new long[] {1, 2, 3, 4, 5, 6}, done.ref()));
    assertChunk(member2.receiveMessage(), Phase.REDUCE_SCATTER, 0, 2, new long[] {3, 4});
    member2.expectNoMessage(Duration.ofMillis(200));
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
