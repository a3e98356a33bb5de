package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.fedmesh.mpc.EphemeralKeyPair;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.CatchUpProtocol.FetchModel;
import org.fedmesh.protocols.CatchUpProtocol.ModelPart;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.AbortAttempt;
import org.fedmesh.protocols.RoundProtocol.Aggregated;
import org.fedmesh.protocols.RoundProtocol.AttemptFailed;
import org.fedmesh.protocols.RoundProtocol.CommitFailed;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.fedmesh.protocols.RoundProtocol.RoundCommitted;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.KeyAdvert;
import org.fedmesh.protocols.RoundProtocol.Ready;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.StartRound;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.fedmesh.node.checkpoint.CheckpointStore;

/**
 * The participant's side of a round against a coordinator played by a test probe, honest or not: real keys,
 * real masks, the real ring over Artery between four actor systems.
 */
class ParticipantProtocolTest {
  static final int PARAMS = 3000;
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static ConsortiumCa ca;
  private static ConsortiumCa otherCa;
  private static float[] initial;
  private static List<FixedUpdates> updates;

  @BeforeAll
  static void consortium() {
    ca = TestSignatures.ca("participants");
    otherCa = TestSignatures.ca("rogue");
    SplittableRandom random = new SplittableRandom(5);
    initial = new float[PARAMS];
    updates = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      float[] delta = new float[PARAMS];
      for (int j = 0; j < PARAMS; j++) {
        delta[j] = (float) random.nextGaussian() * 0.01f;
      }
      updates.add(new FixedUpdates(initial, delta, 100 + 50L * i, 0.1 * (i + 1)));
    }
  }

  @Test
  void secureRound_fourMembers_agreeOnTheWeightedMean() {
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates), true)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      Map<String, Aggregated> results = runSecureRound(h, id, h.ring());
      assertEquals(1, results.values().stream().map(Aggregated::modelHash).distinct().count(), results.toString());
      long samples = updates.stream().mapToLong(FixedUpdates::samples).sum();
      double loss = updates.stream().mapToDouble(u -> u.samples() * u.loss()).sum() / samples;
      for (Aggregated a : results.values()) {
        assertEquals(samples, a.totalSamples());
        assertEquals(loss, a.meanLoss(), 1e-5);
      }
    }
  }

  @Test
  void views_noVectorAMemberReceivesRevealsAPeersUpdate_andFreshNoncesChangeThem() {
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates), true)) {
      List<AllReduceProtocol.Chunk> first = recordViewOfMember0(h, ParticipantHarness.attempt(1, 1));
      List<long[]> encodings = updates.stream()
          .map(u -> ParticipantHarness.CODEC.encode(u.delta(), u.samples(), u.loss()).vector()).toList();
      assertFalse(first.isEmpty());
      for (AllReduceProtocol.Chunk chunk : first) {
        for (long[] candidate : partialSums(encodings)) {
          assertFalse(isFixedOffset(chunk, candidate), "a piece at offset " + chunk.offset()
              + " is a fixed offset of an unmasked (partial) sum of encoded updates");
        }
      }
      // Same updates, same round, a new attempt with a fresh nonce: member 0 sees entirely different vectors.
      List<AllReduceProtocol.Chunk> second = recordViewOfMember0(h, ParticipantHarness.attempt(1, 2));
      Map<String, long[]> before = byPosition(first);
      int compared = 0;
      for (AllReduceProtocol.Chunk chunk : second) {
        long[] earlier = before.get(chunk.phase() + "@" + chunk.offset());
        if (earlier != null && chunk.phase() == AllReduceProtocol.Phase.REDUCE_SCATTER) {
          compared++;
          assertFalse(java.util.Arrays.equals(earlier, chunk.values()), "the same view twice at " + chunk.offset());
        }
      }
      assertTrue(compared > 0);
    }
  }

  @Test
  void forgedKey_replacedInTransit_abortsTheAttemptAndNamesThePeer() {
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates), true)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      List<KeyAdvert> keys = startAndCollectKeys(h, id, h.ring());
      // The relaying path swaps site-b's key for one it owns (keeping site-b's signature and certificate).
      KeyAdvert b = keys.get(1);
      byte[] attackerKey = EphemeralKeyPair.generate(new SecureRandom()).publicKey();
      List<KeyAdvert> forged = new ArrayList<>(keys);
      forged.set(1, new KeyAdvert(b.nodeId(), attackerKey, b.seedCommitment(), b.signature(), b.certificate()));
      h.ring().forEach(p -> p.participant().tell(h.sealed(new RoundKeys(id, forged))));
      Set<String> accusers = new HashSet<>();
      for (int i = 0; i < 4; i++) { // site-b too: its own key came back altered
        AttemptFailed failed = nextFailure(h);
        assertEquals(id, failed.attempt());
        assertTrue(failed.reason().contains("site-b"), failed.reason());
        accusers.add(failed.nodeId());
      }
      assertEquals(Set.of("site-a", "site-b", "site-c", "site-d"), accusers);
      h.received.forEach(tap -> assertNoChunks(tap));
    }
  }

  @Test
  void keyFromAnotherConsortium_underAMembersName_isRefused() {
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates), true)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      List<KeyAdvert> keys = startAndCollectKeys(h, id, h.ring());
      var impostor = org.fedmesh.node.secure.AttemptSecrets.create(
          otherCa.issue("site-c", List.of("127.0.0.1"), Duration.ofDays(1)), id, 3, new SecureRandom());
      List<KeyAdvert> forged = new ArrayList<>(keys);
      forged.set(2, impostor.advert());
      h.tell(0, h.sealed(new RoundKeys(id, forged)));
      AttemptFailed failed = nextFailure(h);
      assertEquals("site-a", failed.nodeId());
      assertTrue(failed.reason().contains("site-c"), failed.reason());
    }
  }

  @Test
  void replayedKeys_fromAnEarlierAttempt_areIgnored() {
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates), true)) {
      AttemptId first = ParticipantHarness.attempt(1, 1);
      List<KeyAdvert> oldKeys = startAndCollectKeys(h, first, h.ring());
      AbortAttempt abort = h.sealed(new AbortAttempt(first, "test"));
      h.ring().forEach(p -> p.participant().tell(abort));
      AttemptId second = ParticipantHarness.attempt(1, 2);
      List<KeyAdvert> keys = startAndCollectKeys(h, second, h.ring());
      RoundKeys replayed = h.sealed(new RoundKeys(first, oldKeys));
      h.ring().forEach(p -> p.participant().tell(replayed));
      h.coordinator.expectNoMessage(Duration.ofMillis(500));
      h.received.forEach(tap -> assertNoChunks(tap));
      RoundKeys go = h.sealed(new RoundKeys(second, keys));
      h.ring().forEach(p -> p.participant().tell(go));
      Map<String, Aggregated> results = collectResults(h, second, 4);
      assertEquals(1, results.values().stream().map(Aggregated::modelHash).distinct().count());
    }
  }

  @Test
  void secureRound_withTwoMembers_isRefused() {
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates.subList(0, 2)), true)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      StartRound start = h.sealed(
          new StartRound(id, h.ring(), baseHash(), true, ParticipantHarness.SHARED, h.coordinator.ref()));
      h.ring().forEach(p -> p.participant().tell(start));
      for (int i = 0; i < 2; i++) {
        AttemptFailed failed = nextFailure(h);
        assertTrue(failed.reason().contains("at least 3"), failed.reason());
      }
    }
  }

  @Test
  void nanOrOversizedUpdate_isRefusedBeforeAnythingIsSent() {
    float[] nan = updates.get(1).delta().clone();
    nan[17] = Float.NaN;
    List<LocalUpdates> members = new ArrayList<>(updates);
    members.set(1, new FixedUpdates(initial, nan, 100, 0.1));
    members.set(2, new FixedUpdates(initial, updates.get(2).delta(), 5_000_000, 0.1)); // above max-samples
    try (ParticipantHarness h = new ParticipantHarness(ca, members, true)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      List<KeyAdvert> keys = startAndCollectKeys(h, id, h.ring());
      RoundKeys go = h.sealed(new RoundKeys(id, keys));
      h.ring().forEach(p -> p.participant().tell(go));
      Map<String, String> refusals = new HashMap<>();
      for (int i = 0; i < 2; i++) {
        AttemptFailed failed = nextFailure(h);
        refusals.put(failed.nodeId(), failed.reason());
      }
      assertTrue(refusals.get("site-b").contains("NaN"), refusals.toString());
      assertTrue(refusals.get("site-c").contains("sample count"), refusals.toString());
      // site-b and site-c sent nothing: their successors site-c and site-d never received a piece from them.
      for (AllReduceProtocol.Command c : drain(h.received.get(2))) {
        if (c instanceof AllReduceProtocol.Chunk chunk) {
          assertNotEquals(1, chunk.senderIndex(), "site-b sent " + chunk);
        }
      }
      for (AllReduceProtocol.Command c : drain(h.received.get(3))) {
        if (c instanceof AllReduceProtocol.Chunk chunk) {
          assertNotEquals(2, chunk.senderIndex(), "site-c sent " + chunk);
        }
      }
    }
  }

  @Test
  void startRound_withSharedSettingsThatDiffer_isRefusedNamingTheKeys() {
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates.subList(0, 3)), true)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      Map<String, String> other = new HashMap<>(ParticipantHarness.SHARED);
      other.put("model.spec", "ffffffffffffffff");
      other.put("aggregation.chunk-bytes", "0000000000000000");
      h.tell(0, h.sealed(new StartRound(id, h.ring(), baseHash(), true, other, h.coordinator.ref())));
      AttemptFailed refused = h.coordinator.expectMessageClass(AttemptFailed.class, WAIT);
      assertEquals("site-a", refused.nodeId());
      assertTrue(refused.reason().contains("[aggregation.chunk-bytes, model.spec]"), refused.reason());
      assertNoChunks(h.received.get(0));
    }
  }

  /** A rolling upgrade half done: the coordinator's host runs a newer release; the refusal names both versions. */
  @Test
  void startRound_fromAnotherProtocolVersion_isRefusedNamingBoth() {
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates.subList(0, 3)), true)) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      Map<String, String> newer = new HashMap<>(ParticipantHarness.SHARED);
      newer.put("protocol.version", "99");
      h.tell(0, h.sealed(new StartRound(id, h.ring(), baseHash(), true, newer, h.coordinator.ref())));
      AttemptFailed refused = h.coordinator.expectMessageClass(AttemptFailed.class, WAIT);
      assertTrue(refused.reason().contains("[protocol.version]"), refused.reason());
      assertTrue(refused.reason().contains("this member speaks fedmesh protocol "
          + org.fedmesh.node.SharedSettings.PROTOCOL_VERSION + ", the coordinator's host protocol 99"),
          refused.reason());
      assertNoChunks(h.received.get(0));
    }
  }

  @Test
  void commit_whoseCheckpointCannotBeWritten_isNotAcknowledgedAndStaysPendingUntilItIs(@TempDir Path dir)
      throws Exception {
    Path blocked = dir.resolve("site-a");
    Files.writeString(blocked, "a file where the checkpoint directory should be");
    List<LocalUpdates> three = List.copyOf(updates.subList(0, 3));
    try (ParticipantHarness h = new ParticipantHarness(ca, three, true,
        i -> Optional.of(new CheckpointStore(dir.resolve("site-" + (char) ('a' + i)))))) {
      AttemptId id = ParticipantHarness.attempt(1, 1);
      Map<String, Aggregated> results = runSecureRound(h, id, h.ring());
      // Revealed in it, its session alive: the status names the attempt's ring, so that a coordinator that took
      // over could tell the survivors to complete it (RoundPlanner).
      MemberStatus revealed = status(h, 1);
      assertEquals(id, revealed.revealedAttempt());
      assertEquals(h.ring().stream().map(RingMember::nodeId).toList(), revealed.revealedRing());
      String hash = results.get("site-a").modelHash();
      CommitProof certificate = certificateOf(h.ring(), results);
      CommitRound commit = h.sealed(new CommitRound(id, hash, certificate, h.coordinator.ref()));
      for (int i = 0; i < 3; i++) {
        h.tell(i, commit);
      }
      Set<String> acknowledged = new HashSet<>();
      CommitFailed failed = null;
      while (acknowledged.size() + (failed == null ? 0 : 1) < 3) {
        CoordinatorCommand m = h.coordinator.receiveMessage(WAIT);
        if (m instanceof RoundCommitted c) {
          acknowledged.add(c.nodeId());
        } else if (m instanceof CommitFailed f) {
          failed = f;
        }
      }
      assertEquals(Set.of("site-b", "site-c"), acknowledged);
      assertEquals("site-a", failed.nodeId());
      assertTrue(failed.reason().contains("checkpoint"), failed.reason());
      MemberStatus status = status(h, 0);
      assertEquals(0, status.committedRound());
      assertEquals(id, status.pendingAttempt());
      // ...with the peers' attestations it held, so that a coordinator that took over could complete the attempt
      // without a participant lost after it attested (RoundPlanner).
      assertEquals(Set.of("site-b", "site-c"), status.pendingAttestations().stream()
          .map(a -> org.fedmesh.mpc.SignedAttestation.decode(a.encoded()))
          .filter(a -> a.statement().attempt() == id.attempt() && a.statement().round() == id.round())
          .map(org.fedmesh.mpc.SignedAttestation::nodeId).collect(java.util.stream.Collectors.toSet()));

      Files.delete(blocked); // the operator fixes the disk; the next commit sent there succeeds
      h.tell(0, commit);
      RoundCommitted again = h.coordinator.expectMessageClass(RoundCommitted.class, WAIT);
      assertEquals(new RoundCommitted(id, "site-a", hash), again.withSeal(null));
      assertEquals(1, status(h, 0).committedRound());
      assertEquals(hash, new CheckpointStore(blocked).load().orElseThrow().hash());
    }
  }

  @Test
  void catchUp_modelFromAPeer_isAdoptedOnlyWhenItsHashMatches() {
    try (ParticipantHarness h = new ParticipantHarness(ca, List.copyOf(updates.subList(0, 3)), true)) {
      TestProbe<org.fedmesh.protocols.RoundProtocol.ParticipantCommand> peer = h.kits.get(0).createTestProbe();
      float[] next = initial.clone();
      next[7] = 0.5f;
      ModelState committed = ModelState.of(1, next, new float[0]);
      CommitProof certificate = majorityCertificate(1, committed.hash());

      // a peer that serves a different model than the one the coordinator named is refused
      h.tell(1, h.sealed(new CatchUp(1, committed.hash(), List.of(peer.ref()), h.coordinator.ref(), certificate)));
      FetchModel fetch = peer.expectMessageClass(FetchModel.class, WAIT);
      assertEquals(1, fetch.round());
      float[] forged = next.clone();
      forged[8] = 9f;
      fetch.replyTo().tell(new ModelPart(1, 0, 1, 0, forged));
      assertEquals(0, status(h, 1).committedRound(), "a model with the wrong hash is not adopted");

      // the right model, in two parts, is adopted and reported to the coordinator
      h.tell(1, h.sealed(new CatchUp(1, committed.hash(), List.of(peer.ref()), h.coordinator.ref(), certificate)));
      fetch = peer.expectMessageClass(FetchModel.class, WAIT);
      fetch.replyTo().tell(new ModelPart(1, 0, 2, 0, java.util.Arrays.copyOfRange(next, 0, 1000)));
      fetch.replyTo().tell(new ModelPart(1, 1, 2, 1000, java.util.Arrays.copyOfRange(next, 1000, PARAMS)));
      MemberStatus reported = h.coordinator.expectMessageClass(MemberStatus.class, WAIT);
      assertEquals(1, reported.committedRound());
      assertEquals(committed.hash(), reported.committedHash());
      assertEquals(certificate, reported.committedCertificate(), "it serves the proof on to others");
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The certificate a coordinator assembles from the results of {@code ring}, in ring order. */
  static CommitProof certificateOf(List<org.fedmesh.protocols.RoundProtocol.RingMember> ring,
                                   Map<String, Aggregated> results) {
    return CommitCertificates.assemble(ring.stream().map(p -> results.get(p.nodeId()).signature()).toList());
  }

  /**
   * A valid certificate of a model of {@code round} hashing to {@code hash}, from the harness's base model, signed by
   * site-a and site-b (a majority of three), certified by the harness's CA.
   */
  static CommitProof majorityCertificate(long round, String hash) {
    return TestSignatures.certificate("participants", TestSignatures.result(ParticipantHarness.attempt(round, 1),
        List.of("site-a", "site-b"), baseHash(), hash));
  }

  /** The next refusal the coordinator gets, past progress reports (Contributed) from members that went on. */
  static AttemptFailed nextFailure(ParticipantHarness h) {
    while (true) {
      CoordinatorCommand m = h.coordinator.receiveMessage(WAIT);
      if (m instanceof AttemptFailed failed) {
        return failed;
      }
      if (!(m instanceof org.fedmesh.protocols.RoundProtocol.Contributed)) {
        throw new AssertionError("expected a refusal, got " + m);
      }
    }
  }

  static MemberStatus status(ParticipantHarness h, int member) {
    TestProbe<CoordinatorCommand> asker = h.kits.get(0).createTestProbe();
    h.tell(member, new org.fedmesh.protocols.RoundProtocol.QueryStatus(asker.ref()));
    return asker.expectMessageClass(MemberStatus.class, WAIT);
  }

  static String baseHash() {
    return ModelState.of(0, new float[PARAMS], new float[0]).hash(); // the harnesses' initial model: zeros
  }

  static List<KeyAdvert> startAndCollectKeys(ParticipantHarness h, AttemptId id,
                                                     List<org.fedmesh.protocols.RoundProtocol.RingMember> ring) {
    StartRound start =
        h.sealed(new StartRound(id, ring, baseHash(), true, ParticipantHarness.SHARED, h.coordinator.ref()));
    ring.forEach(p -> p.participant().tell(start));
    Map<String, KeyAdvert> keys = new HashMap<>();
    while (keys.size() < ring.size()) {
      Ready advert = h.coordinator.expectMessageClass(Ready.class, WAIT);
      assertEquals(id, advert.attempt());
      assertEquals(advert.nodeId(), advert.key().nodeId());
      keys.put(advert.key().nodeId(), advert.key());
    }
    return ring.stream().map(p -> keys.get(p.nodeId())).toList();
  }

  static Map<String, Aggregated> runSecureRound(ParticipantHarness h, AttemptId id,
                                                        List<org.fedmesh.protocols.RoundProtocol.RingMember> ring) {
    List<KeyAdvert> keys = startAndCollectKeys(h, id, ring);
    RoundKeys go = h.sealed(new RoundKeys(id, keys));
    ring.forEach(p -> p.participant().tell(go));
    return collectResults(h, id, ring.size());
  }

  static Map<String, Aggregated> collectResults(ParticipantHarness h, AttemptId id, int count) {
    Map<String, Aggregated> results = new HashMap<>();
    while (results.size() < count) {
      CoordinatorCommand m = h.coordinator.receiveMessage(WAIT);
      if (m instanceof AttemptFailed f) {
        throw new AssertionError("attempt failed: " + f);
      }
      if (m instanceof Aggregated a) {
        assertEquals(id, a.attempt());
        results.put(a.nodeId(), a);
      }
    }
    return results;
  }

  private static List<AllReduceProtocol.Chunk> recordViewOfMember0(ParticipantHarness h, AttemptId id) {
    drain(h.received.get(0));
    runSecureRound(h, id, h.ring());
    List<AllReduceProtocol.Chunk> view = new ArrayList<>();
    for (AllReduceProtocol.Command c : drain(h.received.get(0))) {
      if (c instanceof AllReduceProtocol.Chunk chunk && chunk.attempt().equals(id)) {
        view.add(chunk);
      }
    }
    return view;
  }

  private static List<AllReduceProtocol.Command> drain(TestProbe<AllReduceProtocol.Command> tap) {
    List<AllReduceProtocol.Command> all = new ArrayList<>();
    for (AllReduceProtocol.Command c = pollOnce(tap); c != null; c = pollOnce(tap)) {
      all.add(c);
    }
    return all;
  }

  private static AllReduceProtocol.Command pollOnce(TestProbe<AllReduceProtocol.Command> tap) {
    try {
      return tap.receiveMessage(Duration.ofMillis(300));
    } catch (AssertionError timeout) {
      return null;
    }
  }

  static void assertNoChunks(TestProbe<AllReduceProtocol.Command> tap) {
    for (AllReduceProtocol.Command c : drain(tap)) {
      if (c instanceof AllReduceProtocol.Chunk) {
        throw new AssertionError("a vector piece was sent: " + c);
      }
    }
  }

  /**
   * Every sum of encodings over a contiguous run of fewer than all ring members: what a ring would carry if it
   * were unmasked. (The sum over all members is the result everyone learns.)
   */
  private static List<long[]> partialSums(List<long[]> encodings) {
    List<long[]> sums = new ArrayList<>();
    int n = encodings.size();
    for (int start = 0; start < n; start++) {
      long[] acc = new long[encodings.get(0).length];
      for (int len = 1; len < n; len++) {
        long[] e = encodings.get((start + len - 1) % n);
        for (int j = 0; j < acc.length; j++) {
          acc[j] += e[j];
        }
        sums.add(acc.clone());
      }
    }
    return sums;
  }

  private static boolean isFixedOffset(AllReduceProtocol.Chunk chunk, long[] candidate) {
    long[] v = chunk.values();
    if (v.length < 2) {
      return false;
    }
    long offset = v[0] - candidate[chunk.offset()];
    for (int i = 1; i < v.length; i++) {
      if (v[i] - candidate[chunk.offset() + i] != offset) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, long[]> byPosition(List<AllReduceProtocol.Chunk> chunks) {
    Map<String, long[]> map = new HashMap<>();
    chunks.forEach(c -> map.put(c.phase() + "@" + c.offset(), c.values()));
    return map;
  }
}
