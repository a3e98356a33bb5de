package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.mpc.SeedShares;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.AbortAttempt;
import org.fedmesh.protocols.RoundProtocol.Aggregated;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.KeyAdvert;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.fedmesh.protocols.RoundProtocol.RecoverAttempt;
import org.fedmesh.protocols.RoundProtocol.RoundCommitted;
import org.fedmesh.protocols.RoundProtocol.StartRound;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.protocols.SelfMaskProtocol.Kind;
import org.fedmesh.protocols.SelfMaskProtocol.PeerMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Double masking against real participants over Artery, with the coordinator played by the test: a failed
 * attempt's sum stays secret from a curious member, a retry reuses the updates only when nothing was revealed, and
 * the coordinator's word plays no part in that.
 */
class DoubleMaskingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int PARAMS = ParticipantProtocolTest.PARAMS; // its helpers start from that model
  private static ConsortiumCa ca;
  private PeerMessage lastSumHeldFromB;

  @BeforeAll
  static void consortium() {
    ca = TestSignatures.ca("double-masking");
  }

  @Test
  void memberDropsAfterTheMaskedSumFormed_aCuriousPeerCannotComputeIt_forgedAttestationsChangeNothing_andTheRetryReusesTheUpdates() {
    List<Counting> updates = counting(FixedUpdates.gaussianMembers(4, PARAMS, 11));
    // site-d is curious and drops: it keeps the summed vector from its own session, which so never attests, and
    // everything its participant receives is recorded.
    @SuppressWarnings("unchecked")
    TestProbe<RingAllReduce.SegmentSummed>[] kept = new TestProbe[1];
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates),
        (member, endpoint) -> member == 3 ? keepingTheSum(endpoint, () -> kept[0].ref()) : endpoint)) {
      kept[0] = h.kits.get(3).createTestProbe();
      AttemptId first = ParticipantHarness.attempt(1, 1);
      List<KeyAdvert> keys = ParticipantProtocolTest.startAndCollectKeys(h, first, h.ring());
      RoundKeys go = h.sealed(new RoundKeys(first, keys));
      h.ring().forEach(p -> p.participant().tell(go));

      RingAllReduce.SegmentSummed masked = kept[0].expectMessageClass(RingAllReduce.SegmentSummed.class, WAIT);
      Map<Kind, Map<String, Integer>> seenByD = new EnumMap<>(Kind.class);
      // site-a, site-b and site-c hold their parts of the masked sum and their successors' (site-d sent its own
      // part as its ring started), and say so.
      while (count(seenByD, Kind.SUM_HELD) < 3) {
        ParticipantCommand m = h.inboxes.get(3).receiveMessage(WAIT);
        if (m instanceof PeerMessage p && p.attempt().equals(first)) {
          seenByD.computeIfAbsent(p.kind(), k -> new HashMap<>()).merge(p.from(), 1, Integer::sum);
          if (p.kind() == Kind.SUM_HELD && p.from().equals("site-b")) {
            lastSumHeldFromB = p;
          }
        }
      }
      // Another certified member, from its own actor system, forges site-d's attestation to the three that wait
      // for it: random bytes, and a genuine attestation of site-b's (to site-d) replayed under site-d's name and
      // under site-b's own to another member. None opens under the pair key it claims.
      PeerMessage genuine = lastSumHeldFromB;
      assertTrue(genuine != null, "site-b's attestation to site-d was seen");
      ActorTestKit mallory = ActorTestKit.create("mallory",
          ParticipantHarness.REMOTE.withFallback(ConfigFactory.load()));
      try {
        byte[] noise = new byte[48];
        new java.security.SecureRandom().nextBytes(noise);
        for (int victim = 0; victim < 3; victim++) {
          ActorRef<ParticipantCommand> to = seenFrom(mallory, h, victim);
          to.tell(new PeerMessage(first, "site-d", Kind.SUM_HELD, java.util.Arrays.copyOf(noise, 12),
              java.util.Arrays.copyOfRange(noise, 12, 48)));
          to.tell(new PeerMessage(first, "site-d", Kind.SUM_HELD, genuine.iv(), genuine.ciphertext()));
          if (victim != 1) {
            to.tell(genuine);
          }
        }
        // Nobody reveals while site-d's attestation is missing, and nobody has a result.
        for (ParticipantCommand m : drain(h.inboxes.get(3), Duration.ofSeconds(2))) {
          if (m instanceof PeerMessage p && p.attempt().equals(first)) {
            seenByD.computeIfAbsent(p.kind(), k -> new HashMap<>()).merge(p.from(), 1, Integer::sum);
          }
        }
      } finally {
        mallory.shutdownTestKit();
      }
      assertEquals(0, count(seenByD, Kind.REVEAL), "a seed was revealed: " + seenByD);
      Map<String, Integer> shares = seenByD.get(Kind.SEED_SHARE);
      assertEquals(Map.of("site-a", 1, "site-b", 1, "site-c", 1), shares);
      assertTrue(1 < SeedShares.threshold(4), "one share of a seed says nothing about it");
      // What site-d holds of the sum is its segment plus three seeds' keystreams it cannot make: nowhere near the
      // plain sum. Nobody else unmasked a segment either: no all-gather piece reached site-d.
      long[] plain = plainSum(updates.subList(0, 4));
      long[] segment = masked.values();
      assertTrue(segment.length > 100, "a segment of " + segment.length + " words");
      int equal = 0;
      for (int i = 0; i < segment.length; i++) {
        equal += segment[i] == plain[masked.offset() + i] ? 1 : 0;
      }
      assertTrue(equal < segment.length / 100, equal + " of " + segment.length + " words are the plain sum's");
      for (AllReduceProtocol.Command c : drain(h.received.get(3), Duration.ZERO)) {
        assertTrue(!(c instanceof AllReduceProtocol.Chunk chunk && chunk.attempt().equals(first)
            && chunk.phase() == AllReduceProtocol.Phase.ALL_GATHER), "an unmasked segment travelled: " + c);
      }
      for (CoordinatorCommand m : drain(h.coordinator, Duration.ZERO)) {
        assertTrue(!(m instanceof Aggregated), "a member decoded the failed attempt's sum: " + m);
      }

      // Told that site-d was lost, the others cannot complete the attempt (no seed was revealed) and say so at
      // once, instead of leaving the coordinator to its deadline.
      RecoverAttempt recover = h.sealed(new RecoverAttempt(first, List.of("site-d")));
      for (int i = 0; i < 3; i++) {
        h.tell(i, recover);
      }
      java.util.Set<String> cannot = new java.util.HashSet<>();
      while (cannot.size() < 3) {
        if (h.coordinator.receiveMessage(WAIT) instanceof org.fedmesh.protocols.RoundProtocol.AttemptFailed f
            && f.attempt().equals(first) && f.reason().contains("no self-mask seed was revealed")) {
          cannot.add(f.nodeId());
        }
      }
      // The coordinator gives up on site-d; the retry without it reuses every update: nothing was revealed.
      AbortAttempt abort = h.sealed(new AbortAttempt(first, "site-d did not attest"));
      h.ring().forEach(p -> p.participant().tell(abort));
      AttemptId second = ParticipantHarness.attempt(1, 2);
      Map<String, Aggregated> results = ParticipantProtocolTest.runSecureRound(h, second, h.ring(0, 1, 2));
      long samples = updates.subList(0, 3).stream().mapToLong(u -> u.inner().samples()).sum();
      results.values().forEach(a -> assertEquals(samples, a.totalSamples()));
      assertEquals(1, results.values().stream().map(Aggregated::modelHash).distinct().count());
      for (int i = 0; i < 3; i++) {
        assertEquals(1, updates.get(i).trainings().get(), "site-" + (char) ('a' + i) + " trained again");
      }
    }
  }

  @Test
  void afterItRevealed_aMemberTrainsAfreshForAnotherAttempt_whateverTheCoordinatorSays() {
    List<Counting> updates = counting(FixedUpdates.gaussianMembers(4, PARAMS, 12));
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates), (member, endpoint) -> endpoint)) {
      AttemptId first = ParticipantHarness.attempt(1, 1);
      ParticipantProtocolTest.runSecureRound(h, first, h.ring()); // every seed is out: the sum is known
      // A coordinator that wants two sums over different sets: it drops the result and retries without site-d,
      // and StartRound has no field through which it could say "nothing was revealed".
      AbortAttempt abort = h.sealed(new AbortAttempt(first, "lost the results"));
      h.ring().forEach(p -> p.participant().tell(abort));
      ParticipantProtocolTest.runSecureRound(h, ParticipantHarness.attempt(1, 2), h.ring(0, 1, 2));
      for (int i = 0; i < 3; i++) {
        assertEquals(2, updates.get(i).trainings().get(), "site-" + (char) ('a' + i) + " reused its update");
      }
      assertEquals(1, updates.get(3).trainings().get());
    }
  }

  @Test
  void memberLostAfterEveryoneAttested_theSurvivorsCompleteTheSumWithIt_andCommitOnItsAttestation() throws Exception {
    List<Counting> updates = counting(FixedUpdates.gaussianMembers(4, PARAMS, 13));
    // site-c is honest up to and with its reveal, but its ring endpoint takes no all-gather piece: the ring, which
    // passes through it, cannot finish, as if site-c had crashed right after every participant attested.
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates),
        (member, endpoint) -> member == 2 ? droppingTheAllGather(endpoint) : endpoint)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      List<KeyAdvert> keys = ParticipantProtocolTest.startAndCollectKeys(h, id, h.ring());
      RoundKeys go = h.sealed(new RoundKeys(id, keys));
      h.ring().forEach(p -> p.participant().tell(go));
      int[] survivors = {0, 1, 3};
      for (int i : survivors) { // each survivor holds every peer's reveal: every participant attested
        Map<String, Integer> reveals = new HashMap<>();
        while (reveals.size() < 3) {
          if (h.inboxes.get(i).receiveMessage(WAIT) instanceof PeerMessage p && p.kind() == Kind.REVEAL) {
            reveals.merge(p.from(), 1, Integer::sum);
          }
        }
      }
      RecoverAttempt recover = h.sealed(new RecoverAttempt(id, List.of("site-c")));
      for (int i : survivors) {
        h.tell(i, recover);
      }
      Map<String, Aggregated> results = ParticipantProtocolTest.collectResults(h, id, 3);
      assertEquals(java.util.Set.of("site-a", "site-b", "site-d"), results.keySet());
      assertEquals(1, results.values().stream().map(Aggregated::modelHash).distinct().count());
      long everyone = updates.stream().mapToLong(u -> u.inner().samples()).sum();
      results.values().forEach(a -> assertEquals(everyone, a.totalSamples(), "site-c's update is in the sum"));

      String hash = results.get("site-a").modelHash();
      StartRound start = new StartRound(id, h.ring(), ParticipantProtocolTest.baseHash(), true,
          ParticipantHarness.SHARED, h.coordinator.ref());
      CommitCertificates.Result completed = CommitCertificates.completedWithout(
          java.util.stream.Stream.of("site-a", "site-b", "site-d").map(n -> results.get(n).signature()).toList(),
          results.values().stream().flatMap(a -> a.attestations().stream()).toList(), java.util.Set.of("site-c"),
          start, hash);
      assertEquals(null, completed.problem());
      CommitCertificate certificate = CommitCertificate.decode(completed.certificate().encoded());
      assertEquals(List.of("site-a", "site-b", "site-d"), certificate.signers());
      assertEquals(List.of("site-c"), certificate.attesters());
      certificate.verify(ca.certificate(), java.time.Instant.now(), 4);
      CommitRound commit = h.sealed(new CommitRound(id, hash, completed.certificate(), h.coordinator.ref()));
      for (int i : survivors) {
        h.tell(i, commit);
      }
      java.util.Set<String> committed = new java.util.HashSet<>();
      while (committed.size() < 3) {
        if (h.coordinator.receiveMessage(WAIT) instanceof RoundCommitted c && c.attempt().equals(id)) {
          committed.add(c.nodeId());
        }
      }
    }
  }

  /** A ring endpoint that takes every piece but the all-gather's: the ring cannot finish through it. */
  private static Behavior<AllReduceProtocol.Command> droppingTheAllGather(Behavior<AllReduceProtocol.Command> real) {
    return Behaviors.setup(context -> {
      ActorRef<AllReduceProtocol.Command> inner = context.spawn(real, "inner");
      return Behaviors.receive(AllReduceProtocol.Command.class)
          .onMessage(AllReduceProtocol.Chunk.class, chunk -> {
            if (chunk.phase() != AllReduceProtocol.Phase.ALL_GATHER) {
              inner.tell(chunk);
            }
            return Behaviors.same();
          })
          .onAnyMessage(m -> {
            inner.tell(m);
            return Behaviors.same();
          })
          .build();
    });
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A ring endpoint that passes everything on, but keeps its summed segment from its own member's session (to
   * {@code kept}): that member holds its part of the masked sum and drops before it can attest.
   */
  private static Behavior<AllReduceProtocol.Command> keepingTheSum(Behavior<AllReduceProtocol.Command> real,
      java.util.function.Supplier<ActorRef<RingAllReduce.SegmentSummed>> kept) {
    return Behaviors.setup(context -> {
      ActorRef<AllReduceProtocol.Command> inner = context.spawn(real, "inner");
      return Behaviors.receive(AllReduceProtocol.Command.class)
          .onMessage(RingAllReduce.Start.class, start -> {
            ActorRef<RingAllReduce.Outcome> session = start.replyTo();
            ActorRef<RingAllReduce.Outcome> filter = context.spawnAnonymous(
                Behaviors.receive(RingAllReduce.Outcome.class)
                    .onMessage(RingAllReduce.SegmentSummed.class, summed -> {
                      kept.get().tell(summed);
                      return Behaviors.same();
                    })
                    .onAnyMessage(other -> {
                      session.tell(other);
                      return Behaviors.same();
                    })
                    .build());
            inner.tell(start.withReplyTo(filter));
            return Behaviors.same();
          })
          .onAnyMessage(m -> {
            inner.tell(m);
            return Behaviors.same();
          })
          .build();
    });
  }

  /** A member's updates with a count of how often it trained. */
  record Counting(FixedUpdates inner, AtomicInteger trainings) implements LocalUpdates {
    @Override
    public int parameterCount() {
      return inner.parameterCount();
    }

    @Override
    public float[] initialParameters() {
      return inner.initialParameters();
    }

    @Override
    public int evaluationSlots() {
      return inner.evaluationSlots();
    }

    @Override
    public ConsortiumScaling consortiumScaling() {
      return inner.consortiumScaling();
    }

    @Override
    public LocalUpdate train(float[] globalParameters, long round) {
      trainings.incrementAndGet();
      return inner.train(globalParameters, round);
    }
  }

  private static List<Counting> counting(List<LocalUpdates> members) {
    return members.stream().map(m -> new Counting((FixedUpdates) m, new AtomicInteger())).toList();
  }

  private static long[] plainSum(List<Counting> members) {
    long[] sum = null;
    for (Counting m : members) {
      long[] e = ParticipantHarness.CODEC.encode(m.inner().delta(), m.inner().samples(), m.inner().loss()).vector();
      if (sum == null) {
        sum = e;
      } else {
        for (int i = 0; i < sum.length; i++) {
          sum[i] += e[i];
        }
      }
    }
    return sum;
  }

  /** Member {@code i}'s participant as an actor system of its own addresses it, over Artery. */
  private static ActorRef<ParticipantCommand> seenFrom(ActorTestKit other, ParticipantHarness h, int i) {
    String path = ActorRefResolver.get(h.kits.get(0).system()).toSerializationFormat(h.member(i).participant());
    return ActorRefResolver.get(other.system()).resolveActorRef(path);
  }

  private static int count(Map<Kind, Map<String, Integer>> seen, Kind kind) {
    return seen.getOrDefault(kind, Map.of()).size();
  }

  /** Everything {@code probe} got until it stayed quiet for {@code quiet} (at least 300 ms). */
  private static <T> List<T> drain(TestProbe<T> probe, Duration quiet) {
    Duration wait = quiet.compareTo(Duration.ofMillis(300)) < 0 ? Duration.ofMillis(300) : quiet;
    List<T> all = new ArrayList<>();
    while (true) {
      try {
        all.add(probe.receiveMessage(wait));
      } catch (AssertionError timeout) {
        return all;
      }
    }
  }
}
