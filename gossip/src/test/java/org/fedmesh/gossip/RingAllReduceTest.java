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
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.fedmesh.protocols.AllReduceProtocol.Command;
import org.fedmesh.protocols.AttemptId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact sums through the real ring: up to seven actor systems in this JVM talking Artery over 127.0.0.1, each with
 * its own endpoint, and every piece through the binary serializer with its MAC.
 */
class RingAllReduceTest {
  private static final int MAX_MEMBERS = 7;
  private static final Config REMOTE = ConfigFactory.parseString("""
      pekko.actor.provider = remote
      pekko.remote.artery.canonical.hostname = 127.0.0.1
      pekko.remote.artery.canonical.port = 0
      """);
  private static final List<ActorTestKit> systems = new ArrayList<>();
  private static final SecureRandom random = new SecureRandom();

  @BeforeAll
  static void startSystems() {
    for (int i = 0; i < MAX_MEMBERS; i++) {
      systems.add(ActorTestKit.create("ring" + i, REMOTE));
    }
  }

  @AfterAll
  static void stopSystems() {
    systems.forEach(ActorTestKit::shutdownTestKit);
  }

  static Stream<Arguments> ringsAndLengths() {
    List<Arguments> cases = new ArrayList<>();
    for (int n = 1; n <= MAX_MEMBERS; n++) {
      // lengths below n (empty segments), not divisible by n, and many pieces per segment
      for (int length : new int[] {1, Math.max(1, n - 1), 1000 * n + 1, 20_011}) {
        cases.add(Arguments.of(n, length, 997));
      }
    }
    // larger than one 256 KiB Artery frame in total, with pieces sized as a node sizes them for that frame
    cases.add(Arguments.of(5, 1_000_003, 32_000));
    cases.add(Arguments.of(3, 400_000, 32_000));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} members, {1} values, pieces of {2}")
  @MethodSource("ringsAndLengths")
  void allReduce_anyRingAndLength_everyMemberGetsTheExactWrappingSum(int n, int length, int pieceWords) {
    SplittableRandom values = new SplittableRandom(31L * n + length);
    long[][] vectors = new long[n][length];
    long[] expected = new long[length];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < length; j++) {
        vectors[i][j] = values.nextLong(); // full 64-bit range: the sum wraps, as masked sums do
        expected[j] += vectors[i][j];
      }
    }
    Ring endpoints = Ring.spawn(n, pieceWords);
    List<ActorRef<Command>> ring = endpoints.local();
    AttemptId attempt = AttemptId.fresh(length, n, random);
    // As in a secure round: every member announces the attempt before anyone may send to it, then gets the keys of
    // its two links (here random, one per link from member i to member i+1).
    byte[][] linkKeys = new byte[n][32];
    byte[][] backKeys = new byte[n][32]; // from member i to member i-1
    for (int i = 0; i < n; i++) {
      random.nextBytes(linkKeys[i]);
      random.nextBytes(backKeys[i]);
    }
    for (int i = 0; i < n; i++) {
      ring.get(i).tell(new RingAllReduce.Expect(attempt, n, i, length, true));
      ring.get(i).tell(new RingAllReduce.Keys(attempt, linkKeys[i], linkKeys[Math.floorMod(i - 1, n)], backKeys[i],
          backKeys[Math.floorMod(i + 1, n)]));
    }
    List<TestProbe<RingAllReduce.Outcome>> replies = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestProbe<RingAllReduce.Outcome> probe = systems.get(i).createTestProbe();
      replies.add(probe);
      ring.get(i).tell(new RingAllReduce.Start(attempt, endpoints.seenFrom(i), i, vectors[i].clone(), probe.ref()));
    }
    long expectedBytes = 0;
    for (int i = 0; i < n; i++) {
      if (n > 1) {
        // every member holds part of the sum before all of it, and says so once, first
        assertEquals(new RingAllReduce.SumRevealed(attempt),
            replies.get(i).expectMessageClass(RingAllReduce.SumRevealed.class, Duration.ofSeconds(30)));
      }
      RingAllReduce.Completed done = replies.get(i).expectMessageClass(RingAllReduce.Completed.class,
          Duration.ofSeconds(30));
      assertEquals(attempt, done.attempt());
      assertArrayEquals(expected, done.sum(), "member " + i + " of " + n);
      expectedBytes += done.bytesSent();
    }
    // Each member sends its share of 2(n-1)/n of the vector: in total 2(n-1) vectors' worth.
    assertEquals(2L * (n - 1) * length * 8, expectedBytes);
  }

  /**
   * Double masking's pause: every member stops with its summed segment (each vector here carries a "self-mask",
   * a value per position from the member's own seed), nothing completes until the segments come back unmasked, and
   * then every member gets the plain sum.
   */
  @ParameterizedTest(name = "{0} members, {1} values, pieces of {2}")
  @MethodSource("ringsAndLengths")
  void heldSegments_releasedUnmasked_everyMemberGetsThePlainSum(int n, int length, int pieceWords) {
    SplittableRandom values = new SplittableRandom(17L * n + length);
    long[][] vectors = new long[n][length];
    long[] plain = new long[length];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < length; j++) {
        long value = values.nextLong();
        plain[j] += value;
        vectors[i][j] = value + selfMask(i, j);
      }
    }
    Ring endpoints = Ring.spawn(n, pieceWords);
    List<ActorRef<Command>> ring = endpoints.local();
    AttemptId attempt = AttemptId.fresh(length, n, random);
    List<TestProbe<RingAllReduce.Outcome>> replies = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ring.get(i).tell(new RingAllReduce.Expect(attempt, n, i, length, false));
    }
    for (int i = 0; i < n; i++) {
      TestProbe<RingAllReduce.Outcome> probe = systems.get(i).createTestProbe();
      replies.add(probe);
      ring.get(i).tell(new RingAllReduce.Start(attempt, endpoints.seenFrom(i), i, vectors[i].clone(), probe.ref(),
          true));
    }
    List<RingAllReduce.SegmentSummed> summed = new ArrayList<>();
    int covered = 0;
    for (int i = 0; i < n; i++) {
      RingAllReduce.SegmentSummed segment = nextBesidesReveals(replies.get(i), RingAllReduce.SegmentSummed.class);
      for (int k = 0; k < segment.values().length; k++) { // the masked sum: every member's vector, masks and all
        long masked = plain[segment.offset() + k];
        for (int m = 0; m < n; m++) {
          masked += selfMask(m, segment.offset() + k);
        }
        assertEquals(masked, segment.values()[k], "member " + i + " at " + (segment.offset() + k));
      }
      covered += segment.values().length;
      summed.add(segment);
    }
    assertEquals(length, covered, "the members' segments cover the vector once");
    for (int i = 0; n > 1 && i < n; i++) { // every segment is held twice: by its member and by that one's predecessor
      RingAllReduce.SegmentSummed theirs = summed.get((i + 1) % n);
      assertEquals(theirs.offset(), summed.get(i).keptOffset(), "member " + i + " keeps its successor's segment");
      assertArrayEquals(theirs.values(), summed.get(i).kept(), "member " + i);
    }
    for (TestProbe<RingAllReduce.Outcome> probe : replies) {
      RingAllReduce.Outcome early = pollBesidesReveals(probe);
      if (early != null) {
        throw new AssertionError("before any release: " + early);
      }
    }
    for (int i = 0; i < n; i++) {
      RingAllReduce.SegmentSummed segment = summed.get(i);
      long[] unmasked = segment.values();
      for (int k = 0; k < unmasked.length; k++) {
        for (int m = 0; m < n; m++) {
          unmasked[k] -= selfMask(m, segment.offset() + k);
        }
      }
      ring.get(i).tell(new RingAllReduce.ReleaseSegment(attempt, unmasked));
    }
    for (int i = 0; i < n; i++) {
      RingAllReduce.Completed done = nextBesidesReveals(replies.get(i), RingAllReduce.Completed.class);
      assertArrayEquals(plain, done.sum(), "member " + i + " of " + n);
    }
  }

  /** A fresh endpoint in each of the first n systems, and their addresses, so any member can address the others. */
  private record Ring(List<ActorRef<Command>> local, List<String> addresses) {
    static Ring spawn(int n, int pieceWords) {
      List<ActorRef<Command>> endpoints = new ArrayList<>();
      List<String> addresses = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ActorRef<Command> endpoint = systems.get(i).spawn(RingAllReduce.create(pieceWords));
        endpoints.add(endpoint);
        addresses.add(ActorRefResolver.get(systems.get(i).system()).toSerializationFormat(endpoint));
      }
      return new Ring(endpoints, addresses);
    }

    /** The ring as member {@code i} addresses it (remote refs but its own). */
    List<ActorRef<Command>> seenFrom(int i) {
      ActorRefResolver resolver = ActorRefResolver.get(systems.get(i).system());
      return addresses.stream().map(resolver::<Command>resolveActorRef).toList();
    }
  }

  private static long selfMask(int member, int position) {
    return new SplittableRandom(1_000_003L * member + position).nextLong();
  }

  private static <T extends RingAllReduce.Outcome> T nextBesidesReveals(TestProbe<RingAllReduce.Outcome> probe,
                                                                        Class<T> wanted) {
    while (true) {
      RingAllReduce.Outcome next = probe.receiveMessage(Duration.ofSeconds(30));
      if (!(next instanceof RingAllReduce.SumRevealed)) {
        return wanted.cast(next);
      }
    }
  }

  private static RingAllReduce.Outcome pollBesidesReveals(TestProbe<RingAllReduce.Outcome> probe) {
    try {
      RingAllReduce.Outcome next = probe.receiveMessage(Duration.ofMillis(100));
      return next instanceof RingAllReduce.SumRevealed ? pollBesidesReveals(probe) : next;
    } catch (AssertionError quiet) {
      return null;
    }
  }
}
