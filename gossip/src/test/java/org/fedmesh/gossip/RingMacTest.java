package org.fedmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.fedmesh.protocols.AllReduceProtocol.Chunk;
import org.fedmesh.protocols.AllReduceProtocol.Command;
import org.fedmesh.protocols.AllReduceProtocol.Phase;
import org.fedmesh.protocols.AttemptId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three honest members and an adversary, each its own actor system talking Artery over 127.0.0.1: the adversary
 * injects pieces that fit member 1's schedule exactly, and replays a genuine piece of an earlier attempt (as is, and
 * relabelled with the current attempt). Every one is dropped and counted, and every member gets the exact sum.
 */
class RingMacTest {
  private static final Config REMOTE = ConfigFactory.parseString("""
      pekko.actor.provider = remote
      pekko.remote.artery.canonical.hostname = 127.0.0.1
      pekko.remote.artery.canonical.port = 0
      """);
  private static final int N = 3;
  private static final int LENGTH = 3_001;
  private static final int PIECE_WORDS = 400;
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<ActorTestKit> members = new ArrayList<>();
  private static ActorTestKit adversary;
  private static final SecureRandom random = new SecureRandom();

  @BeforeAll
  static void startSystems() {
    for (int i = 0; i < N; i++) {
      members.add(ActorTestKit.create("member" + i, REMOTE));
    }
    adversary = ActorTestKit.create("adversary", REMOTE);
  }

  @AfterAll
  static void stopSystems() {
    members.forEach(ActorTestKit::shutdownTestKit);
    adversary.shutdownTestKit();
  }

  @Test
  void injectedAndReplayedPieces_beforeAndAfterTheKeys_areDroppedAndTheSumStaysExact() {
    List<ActorRef<Command>> ring = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    for (ActorTestKit kit : members) {
      ActorRef<Command> endpoint = kit.spawn(RingAllReduce.create(PIECE_WORDS));
      ring.add(endpoint);
      addresses.add(ActorRefResolver.get(kit.system()).toSerializationFormat(endpoint));
    }
    AttemptId earlier = AttemptId.fresh(9, 1, random);
    AttemptId attempt = AttemptId.fresh(9, 2, random);
    byte[][] linkKeys = new byte[N][32];
    for (byte[] key : linkKeys) {
      random.nextBytes(key);
    }
    for (int i = 0; i < N; i++) {
      ring.get(i).tell(new RingAllReduce.Expect(attempt, N, i, LENGTH, true));
    }

    // Member 1's predecessor is member 0; at step 0 it sends pieces of its own segment, starting at offset 0.
    ActorRef<Command> target = ActorRefResolver.get(adversary.system()).resolveActorRef(addresses.get(1));
    long[] junk = new SplittableRandom(5).longs(PIECE_WORDS).toArray();
    byte[] guessedMac = new byte[32];
    random.nextBytes(guessedMac);
    byte[] earlierKey = new byte[32];
    random.nextBytes(earlierKey);
    byte[] genuineEarlierMac = new PieceMac(earlierKey).tag(earlier, Phase.REDUCE_SCATTER, 0, 0, 0, junk);
    // Before the keys: held unverified, and must not take the place of the genuine piece.
    target.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, junk, guessedMac));
    target.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, junk, genuineEarlierMac));
    target.tell(new Chunk(earlier, Phase.REDUCE_SCATTER, 0, 0, 0, junk, genuineEarlierMac));
    TestProbe<RingAllReduce.LinkReport> links = members.get(1).createTestProbe();
    links.awaitAssert(WAIT, () -> {
      ring.get(1).tell(new RingAllReduce.ReportLinks(attempt, links.ref()));
      assertEquals(2, links.receiveMessage().heldPieces(), "the two pieces of this attempt wait for the keys");
      return null;
    });

    for (int i = 0; i < N; i++) {
      ring.get(i).tell(new RingAllReduce.Keys(attempt, linkKeys[i], linkKeys[Math.floorMod(i - 1, N)], linkKeys[i],
          linkKeys[Math.floorMod(i + 1, N)])); // pieces sent back: none in a plain ring
    }
    // After the keys: checked at once. A MAC under another member's link key does not verify here either.
    target.tell(new Chunk(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, junk,
        new PieceMac(linkKeys[2]).tag(attempt, Phase.REDUCE_SCATTER, 0, 0, 0, junk)));
    links.awaitAssert(WAIT, () -> {
      ring.get(1).tell(new RingAllReduce.ReportLinks(attempt, links.ref()));
      assertEquals(3, links.receiveMessage().forgedPieces());
      return null;
    });

    SplittableRandom values = new SplittableRandom(11);
    long[][] vectors = new long[N][];
    long[] expected = new long[LENGTH];
    for (int i = 0; i < N; i++) {
      vectors[i] = values.longs(LENGTH).toArray();
      for (int j = 0; j < LENGTH; j++) {
        expected[j] += vectors[i][j];
      }
    }
    List<TestProbe<RingAllReduce.Outcome>> replies = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      ActorTestKit kit = members.get(i);
      TestProbe<RingAllReduce.Outcome> probe = kit.createTestProbe();
      replies.add(probe);
      ActorRefResolver resolver = ActorRefResolver.get(kit.system());
      ring.get(i).tell(new RingAllReduce.Start(attempt,
          addresses.stream().map(resolver::<Command>resolveActorRef).toList(), i, vectors[i].clone(), probe.ref()));
    }
    for (int i = 0; i < N; i++) {
      replies.get(i).expectMessageClass(RingAllReduce.SumRevealed.class, WAIT);
      RingAllReduce.Completed done = replies.get(i).expectMessageClass(RingAllReduce.Completed.class, WAIT);
      assertArrayEquals(expected, done.sum(), "member " + i);
    }
    ring.get(1).tell(new RingAllReduce.ReportLinks(attempt, links.ref()));
    RingAllReduce.LinkReport report = links.receiveMessage();
    assertEquals(3, report.forgedPieces());
    assertEquals(0, report.misfitPieces());
    assertEquals(report.ownPiecesExpected(), report.ownPiecesReceived(), "member 0's genuine pieces all counted");
  }
}
