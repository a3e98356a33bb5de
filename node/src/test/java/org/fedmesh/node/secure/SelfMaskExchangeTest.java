package org.fedmesh.node.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.mpc.MaskPrg;
import org.fedmesh.mpc.PeerEnvelope;
import org.fedmesh.mpc.SeedShares;
import org.fedmesh.mpc.SelfMaskReveal;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.secure.SelfMaskExchange.Outgoing;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.SelfMaskProtocol.Kind;
import org.fedmesh.protocols.SelfMaskProtocol.PeerMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Four members' exchanges with real certificates, X25519 keys, AES-GCM envelopes and Shamir shares, the messages
 * carried by hand: who may attest and reveal when, what survivors rebuild, what a curious member cannot, and what a
 * member refuses. The ring order is deliberately not alphabetical, so "in ring order" means something.
 */
class SelfMaskExchangeTest {
  private static final List<String> RING = List.of("site-c", "site-a", "site-d", "site-b");
  private static final int LENGTH = 9;
  private static final String BASE = "ab".repeat(32);
  private static Map<String, MemberIdentity> identities;

  private SecureRandom random;
  private Attempt attempt;

  @BeforeAll
  static void consortium() {
    ConsortiumCa ca = ConsortiumCa.create("selfmask-test", Duration.ofDays(7));
    identities = new HashMap<>();
    for (String id : RING) {
      identities.put(id, ca.issue(id, List.of("127.0.0.1"), Duration.ofDays(1)));
    }
  }

  @BeforeEach
  void freshAttempt() throws GeneralSecurityException {
    random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(4242L); // set before any output: every run draws the same keys, seeds, shares and IVs
    attempt = new Attempt(AttemptId.fresh(1, 1, random)).summed();
  }

  /** One attempt's members: their secrets and exchanges, and every message each one took, in order. */
  private final class Attempt {
    final AttemptId id;
    final Map<String, AttemptSecrets> secrets = new LinkedHashMap<>();
    final Map<String, SelfMaskExchange> exchanges = new LinkedHashMap<>();
    final Map<String, List<PeerMessage>> received = new HashMap<>();

    Attempt(AttemptId id) {
      this.id = id;
      for (String member : RING) {
        secrets.put(member, AttemptSecrets.create(identities.get(member), id, RING.size(), random));
        received.put(member, new ArrayList<>());
      }
      for (String member : RING) {
        exchanges.put(member, new SelfMaskExchange(secrets.get(member), RING, peerKeys(member), BASE, LENGTH,
            Runnable::run, random));
      }
    }

    /** Every member holds its part of the masked sum and its successor's, as the ring reports them. */
    Attempt summed() {
      for (int i = 0; i < RING.size(); i++) {
        holdsSum(i);
      }
      return this;
    }

    /** The member at ring index {@code i} holds its summed segment and keeps its successor's (of {@link #summedWords}). */
    void holdsSum(int i) {
      int[] range = RingAllReduce.summedSegment(RING.size(), LENGTH, Math.floorMod(i + 1, RING.size()));
      of(RING.get(i)).holdsSum(range[0], Arrays.copyOfRange(summedWords(), range[0], range[1]));
    }

    /** The peers' keys as a member takes them: every signed key verified, seed commitments and all. */
    Map<String, byte[]> peerKeys(String member) {
      List<org.fedmesh.protocols.RoundProtocol.KeyAdvert> adverts = secrets.values().stream()
          .map(AttemptSecrets::advert).toList();
      try {
        return secrets.get(member).verifyPeers(adverts, RING, java.time.Instant.now());
      } catch (org.fedmesh.mpc.KeyVerificationException e) {
        throw new AssertionError(e);
      }
    }

    SelfMaskExchange of(String member) {
      return exchanges.get(member);
    }

    /** Hands every message to its receiver, which must take it. */
    void deliver(List<Outgoing> out) {
      for (Outgoing o : out) {
        Optional<String> refused = exchanges.get(o.to()).receive(o.message());
        assertEquals(Optional.empty(), refused, o.message() + " to " + o.to());
        received.get(o.to()).add(o.message());
      }
    }

    /** Hands only the messages for {@code to}. */
    void deliverTo(String to, List<Outgoing> out) {
      deliver(out.stream().filter(o -> o.to().equals(to)).toList());
    }

    /** The one message in {@code out} for {@code to}. */
    PeerMessage messageTo(String to, List<Outgoing> out) {
      List<PeerMessage> found = out.stream().filter(o -> o.to().equals(to)).map(Outgoing::message).toList();
      assertEquals(1, found.size(), "one message for " + to);
      return found.get(0);
    }

    void everyoneSharesSeeds() {
      Map<String, List<Outgoing>> out = new LinkedHashMap<>();
      RING.forEach(m -> out.put(m, of(m).seedShares()));
      out.values().forEach(this::deliver);
    }

    byte[] seedOf(String member) {
      return secrets.get(member).selfSeed();
    }

    byte[] pairSecret(String member, String peer) {
      return secrets.get(member).sharedSecret(secrets.get(peer).advert().publicKey());
    }
  }

  /** Stands for the masked sum's words in the backup tests. */
  private static long[] summedWords() {
    long[] words = new long[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      words[i] = 1000L * (i + 1) + 7;
    }
    return words;
  }

  private static long[] vector(long first) {
    long[] v = new long[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      v[i] = first * 1_000 + i - 4; // some negative words too
    }
    return v;
  }

  /** {@code plain} carrying the self-masks of {@code seeds}, as every member's vector does in the summed vector. */
  private static long[] selfMasked(long[] plain, List<byte[]> seeds) {
    long[] masked = plain.clone();
    for (byte[] seed : seeds) {
      MaskPrg.add(masked, seed, false);
    }
    return masked;
  }

  private List<byte[]> ownSeeds(Attempt a) {
    return RING.stream().map(a::seedOf).toList();
  }

  private static void assertSameSeeds(List<byte[]> expected, List<byte[]> actual, String what) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), what + ": the seed of " + RING.get(i));
    }
  }

  @Test
  void allExchangeAttestAndReveal_everyMemberKnowsEverySeedInRingOrder_andUnmasks() {
    Attempt a = attempt;
    a.everyoneSharesSeeds();
    RING.forEach(m -> assertTrue(a.of(m).mayAttest(), m));
    Map<String, List<Outgoing>> attestations = new LinkedHashMap<>();
    RING.forEach(m -> attestations.put(m, a.of(m).attestations()));
    attestations.values().forEach(a::deliver);
    RING.forEach(m -> assertTrue(a.of(m).mayReveal(), m));
    Map<String, List<Outgoing>> reveals = new LinkedHashMap<>();
    RING.forEach(m -> reveals.put(m, a.of(m).reveals()));
    reveals.values().forEach(a::deliver);

    List<byte[]> expected = ownSeeds(a);
    for (int i = 0; i < RING.size(); i++) {
      for (int j = 0; j < i; j++) {
        assertFalse(Arrays.equals(expected.get(i), expected.get(j)), "every member draws its own seed");
      }
    }
    long[] plain = vector(3);
    for (String m : RING) {
      SelfMaskExchange exchange = a.of(m);
      assertTrue(exchange.hasRevealed(), m);
      assertFalse(exchange.mayReveal(), m + " reveals once");
      assertFalse(exchange.mayAttest(), m + " attests once");
      assertEquals(List.of(), exchange.notAttested(), m);
      List<byte[]> seeds = exchange.allSeeds().orElseThrow(() -> new AssertionError(m + " knows every seed"));
      assertSameSeeds(expected, seeds, m);
      long[] sum = selfMasked(plain, seeds);
      assertFalse(Arrays.equals(plain, sum), "the self-masks hide the vector");
      unmask(sum, seeds);
      assertArrayEquals(plain, sum, m);
    }
  }

  /** The whole of double masking: pairwise masks cancel in the sum, the revealed seeds remove the self-masks. */
  @Test
  void allExchange_theSumOfTheMembersMaskedVectors_unmasksToThePlainSum() {
    Attempt a = attempt;
    long[] maskedSum = new long[LENGTH];
    long[] plainSum = new long[LENGTH];
    for (int k = 0; k < RING.size(); k++) {
      String m = RING.get(k);
      long[] plain = vector(k + 1);
      long[] masked = plain.clone();
      a.secrets.get(m).addMasks(masked, a.peerKeys(m));
      for (int i = 0; i < LENGTH; i++) {
        plainSum[i] += plain[i];
        maskedSum[i] += masked[i];
      }
    }
    a.everyoneSharesSeeds();
    RING.forEach(m -> a.deliver(a.of(m).attestations()));
    RING.forEach(m -> a.deliver(a.of(m).reveals()));
    for (String m : RING) {
      long[] sum = maskedSum.clone();
      assertFalse(Arrays.equals(plainSum, sum), "the masked sum is not the sum");
      unmask(sum, a.of(m).allSeeds().orElseThrow());
      assertArrayEquals(plainSum, sum, m);
    }
  }

  @Test
  void mayAttest_notBeforeItHoldsItsPartOfTheSum_evenWithEveryShare() {
    Attempt fresh = new Attempt(attempt.id);
    Map<String, List<Outgoing>> shares = new LinkedHashMap<>();
    RING.forEach(m -> shares.put(m, fresh.of(m).seedShares()));
    RING.stream().filter(m -> !m.equals("site-a")).forEach(m -> fresh.deliverTo("site-a", shares.get(m)));
    assertFalse(fresh.of("site-a").mayAttest(), "every share, but no sum yet");
    fresh.holdsSum(RING.indexOf("site-a"));
    assertTrue(fresh.of("site-a").mayAttest());
  }

  @Test
  void keptSegment_isTheSuccessorsAsTheRingGaveIt_andNoOtherIsTaken() {
    Attempt fresh = new Attempt(attempt.id);
    SelfMaskExchange a = fresh.of("site-a"); // index 1: keeps site-d's segment (index 2)
    int[] ofD = RingAllReduce.summedSegment(RING.size(), LENGTH, 2);
    int[] ofA = RingAllReduce.summedSegment(RING.size(), LENGTH, 1);
    assertThrows(IllegalArgumentException.class, () -> a.holdsSum(ofA[0], new long[ofA[1] - ofA[0]]),
        "its own segment's offset, not its successor's");
    assertThrows(IllegalStateException.class, a::backupValues, "nothing kept yet");
    fresh.holdsSum(1);
    assertEquals(ofD[0], a.backupStart());
    assertArrayEquals(Arrays.copyOfRange(summedWords(), ofD[0], ofD[1]), a.backupValues());
  }

  @Test
  void attestation_signedByAnotherMember_orForAnotherAttempt_isRefusedAndDoesNotCount() {
    attempt.everyoneSharesSeeds();
    // site-b holds site-c's genuine attestation (to site-b) and puts it, sealed under its own pair key with
    // site-a, as its own; then an attestation it signed for another ring.
    PeerMessage cToB = attempt.messageTo("site-b", attempt.of("site-c").attestations());
    byte[] cAttestation = open(attempt, "site-c", "site-b", cToB);
    Optional<String> refused = attempt.of("site-a").receive(sealedAs(attempt, "site-b", "site-a", Kind.SUM_HELD,
        cAttestation));
    assertTrue(refused.orElseThrow().contains("signed as site-c"), refused.toString());
    org.fedmesh.mpc.SignedAttestation otherRing = org.fedmesh.mpc.SignedAttestation.sign(identities.get("site-b"),
        new org.fedmesh.mpc.SumHeld(attempt.id.round(), attempt.id.attempt(), attempt.id.nonce(),
            List.of("site-b", "site-a"), BASE));
    refused = attempt.of("site-a").receive(sealedAs(attempt, "site-b", "site-a", Kind.SUM_HELD,
        otherRing.encode()));
    assertTrue(refused.orElseThrow().contains("not the masked sum of round 1 attempt 1 by " + RING),
        refused.toString());
    assertTrue(attempt.of("site-a").notAttested().contains("site-b"), "neither counts as site-b's attestation");
  }

  @Test
  void recovery_theLostMembersPredecessorSendsItsSegment_andEverySurvivorPutsTheWholeSumTogether() {
    long[] sum = summedWords();
    String lost = "site-d"; // index 2: site-a (index 1) keeps its segment
    List<String> survivors = RING.stream().filter(m -> !m.equals(lost)).toList();
    Map<String, List<Outgoing>> out = new LinkedHashMap<>();
    for (String m : survivors) {
      int[] range = RingAllReduce.summedSegment(RING.size(), LENGTH, RING.indexOf(m));
      List<String> others = survivors.stream().filter(x -> !x.equals(m)).toList();
      List<Outgoing> sent = new ArrayList<>(attempt.of(m).unmaskedSegment(others, range[0],
          Arrays.copyOfRange(sum, range[0], range[1])));
      if (m.equals("site-a")) {
        sent.addAll(attempt.of(m).unmaskedSegment(others, attempt.of(m).backupStart(), attempt.of(m).backupValues()));
      }
      out.put(m, sent);
    }
    assertEquals(Optional.empty(), attempt.of("site-a").recoveredSum(), "nothing came yet");
    out.values().forEach(attempt::deliver);
    for (String m : survivors) {
      assertArrayEquals(sum, attempt.of(m).recoveredSum().orElseThrow(), m);
    }
    // A repeated chunk is refused and changes nothing.
    Outgoing again = out.get("site-c").get(0);
    assertTrue(attempt.of(again.to()).receive(again.message()).orElseThrow().contains("again"));
    assertArrayEquals(sum, attempt.of(again.to()).recoveredSum().orElseThrow());
  }

  @Test
  void recovery_aSurvivorCannotSendWordsOfASegmentItNeitherSummedNorKept() {
    // site-c (index 0) sums segment 1 and keeps site-a's (segment 2); segment 0 is site-b's.
    int[] notItsOwn = RingAllReduce.summedSegment(RING.size(), LENGTH, 3);
    List<Outgoing> sent = attempt.of("site-c").unmaskedSegment(List.of("site-d"), notItsOwn[0],
        new long[notItsOwn[1] - notItsOwn[0]]);
    Optional<String> refused = attempt.of("site-d").receive(sent.get(0).message());
    assertTrue(refused.orElseThrow().contains("outside its own segment and the one it keeps"), refused.toString());
  }

  private PeerMessage sealedAs(Attempt a, String from, String to, Kind kind, byte[] body) {
    PeerEnvelope.Sealed sealed = PeerEnvelope.seal(a.pairSecret(from, to), new PeerEnvelope.Binding(a.id.round(),
        a.id.attempt(), a.id.nonce(), from, to, kind.name()), body, random);
    return new PeerMessage(a.id, from, kind, sealed.iv(), sealed.ciphertext());
  }

  private static byte[] open(Attempt a, String from, String to, PeerMessage m) {
    try {
      return PeerEnvelope.open(a.pairSecret(to, from), new PeerEnvelope.Binding(a.id.round(), a.id.attempt(),
          a.id.nonce(), from, to, m.kind().name()), new PeerEnvelope.Sealed(m.iv(), m.ciphertext()));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void sumMayBeKnown_fromTheFirstRevealOnEitherSide() {
    Attempt a = attempt;
    RING.forEach(m -> a.deliver(a.of(m).seedShares()));
    RING.forEach(m -> a.deliver(a.of(m).attestations()));
    RING.forEach(m -> assertFalse(a.of(m).sumMayBeKnown(), m + " before any reveal"));
    a.deliver(a.of("site-b").reveals());
    assertTrue(a.of("site-b").sumMayBeKnown(), "it revealed");
    RING.stream().filter(m -> !m.equals("site-b")).forEach(m -> assertTrue(a.of(m).sumMayBeKnown(),
        m + " got site-b's reveal"));
  }

  @Test
  void mayAttest_onlyOnceEveryPeersShareArrived() {
    Attempt a = attempt;
    Map<String, List<Outgoing>> shares = new LinkedHashMap<>();
    RING.forEach(m -> shares.put(m, a.of(m).seedShares()));
    RING.forEach(m -> assertEquals(3, shares.get(m).size(), m + " sends one share to each peer"));
    RING.forEach(m -> assertFalse(a.of(m).mayAttest(), m + " holds only its own share"));
    // site-a takes the shares of site-c, site-d and finally site-b.
    List<String> senders = List.of("site-c", "site-d", "site-b");
    for (int k = 0; k < senders.size(); k++) {
      assertFalse(a.of("site-a").mayAttest(), "site-a holds " + k + " of 3 peers' shares");
      a.deliverTo("site-a", shares.get(senders.get(k)));
    }
    assertTrue(a.of("site-a").mayAttest());
    // A repeated share changes nothing.
    a.deliverTo("site-a", shares.get("site-b"));
    assertTrue(a.of("site-a").mayAttest());
    RING.stream().filter(m -> !m.equals("site-a")).forEach(m -> assertFalse(a.of(m).mayAttest(), m));
    assertEquals(3, a.of("site-a").attestations().size());
    assertFalse(a.of("site-a").mayAttest(), "attests once");
  }

  @Test
  void mayReveal_onlyOnceItAttestedAndEveryPeerAttested_andNoSeedsBeforeItRevealed() {
    Attempt a = attempt;
    a.everyoneSharesSeeds();
    RING.forEach(m -> assertFalse(a.of(m).mayReveal(), m + " has not attested"));
    // Three of four attest: site-a holds the sum late.
    Map<String, List<Outgoing>> attestations = new LinkedHashMap<>();
    for (String m : List.of("site-c", "site-d", "site-b")) {
      attestations.put(m, a.of(m).attestations());
      a.deliver(attestations.get(m));
    }
    RING.forEach(m -> assertFalse(a.of(m).mayReveal(), m + ": 3 of 4 attested"));
    assertEquals(List.of("site-a"), a.of("site-c").notAttested());
    assertEquals(List.of(), a.of("site-a").notAttested(), "site-a holds every peer's attestation");
    assertFalse(a.of("site-a").mayReveal(), "site-a holds every peer's attestation but attested itself not yet");
    RING.forEach(m -> assertEquals(Optional.empty(), a.of(m).allSeeds(), m));

    attestations.put("site-a", a.of("site-a").attestations());
    assertTrue(a.of("site-a").mayReveal());
    // site-a's attestation has reached site-d only.
    a.deliverTo("site-d", attestations.get("site-a"));
    assertTrue(a.of("site-d").mayReveal());
    assertFalse(a.of("site-c").mayReveal());
    assertFalse(a.of("site-b").mayReveal());
    a.deliverTo("site-c", attestations.get("site-a"));
    a.deliverTo("site-b", attestations.get("site-a"));
    RING.forEach(m -> assertTrue(a.of(m).mayReveal(), m));

    // Everyone else reveals to site-a; it could rebuild everything, yet it knows no seed until it revealed itself.
    for (String m : List.of("site-c", "site-d", "site-b")) {
      a.deliverTo("site-a", a.of(m).reveals());
    }
    assertEquals(Optional.empty(), a.of("site-a").allSeeds(), "site-a has not revealed");
    assertFalse(a.of("site-a").hasRevealed());
    assertTrue(a.of("site-a").mayReveal());
    a.deliver(a.of("site-a").reveals());
    assertSameSeeds(ownSeeds(a), a.of("site-a").allSeeds().orElseThrow(), "site-a");
  }

  @Test
  void memberLostAfterAttesting_survivorsRebuildItsSeedFromTheShares() throws Exception {
    Attempt a = attempt;
    String lost = "site-d";
    List<String> survivors = RING.stream().filter(m -> !m.equals(lost)).toList();
    a.everyoneSharesSeeds();
    RING.forEach(m -> a.deliver(a.of(m).attestations())); // site-d attests, then is lost
    Map<String, List<Outgoing>> reveals = new LinkedHashMap<>();
    for (String m : survivors) {
      assertTrue(a.of(m).mayReveal(), m);
      reveals.put(m, a.of(m).reveals().stream().filter(o -> !o.to().equals(lost)).toList());
    }
    // With its own share and one other survivor's, a survivor holds 2 of the 3 shares needed: not yet.
    a.deliverTo("site-c", reveals.get("site-a"));
    assertEquals(Optional.empty(), a.of("site-c").allSeeds(), "2 shares of site-d's seed are too few");
    a.deliverTo("site-c", reveals.get("site-b"));
    a.deliverTo("site-a", reveals.get("site-c"));
    a.deliverTo("site-a", reveals.get("site-b"));
    a.deliverTo("site-b", reveals.get("site-c"));
    a.deliverTo("site-b", reveals.get("site-a"));

    // What site-d would have revealed, had it not been lost: its own exchange's reveal, opened as site-a would.
    PeerMessage wouldReveal = a.messageTo("site-a", a.of(lost).reveals());
    byte[] body = PeerEnvelope.open(a.pairSecret("site-a", lost), new PeerEnvelope.Binding(a.id.round(),
            a.id.attempt(), a.id.nonce(), lost, "site-a", Kind.REVEAL.name()),
        new PeerEnvelope.Sealed(wouldReveal.iv(), wouldReveal.ciphertext()));
    byte[] lostSeed = SelfMaskReveal.decode(body).seed();
    assertArrayEquals(a.seedOf(lost), lostSeed);

    long[] plain = vector(5);
    long[] masked = selfMasked(plain, ownSeeds(a));
    for (String m : survivors) {
      List<byte[]> seeds = a.of(m).allSeeds().orElseThrow(() -> new AssertionError(m + " rebuilds site-d's seed"));
      assertArrayEquals(lostSeed, seeds.get(RING.indexOf(lost)), m);
      assertSameSeeds(ownSeeds(a), seeds, m);
      long[] sum = masked.clone();
      unmask(sum, seeds);
      assertArrayEquals(plain, sum, m);
    }
  }

  @Test
  void memberDroppedBeforeAttesting_noOneReveals_andACuriousMemberHoldsOneShareOfEachSeed() throws Exception {
    Attempt a = attempt;
    String dropped = "site-d";
    String curious = "site-a";
    a.everyoneSharesSeeds(); // site-d's shares went out, then it dropped before the masked sum formed
    for (String m : RING) {
      if (!m.equals(dropped)) {
        a.deliver(a.of(m).attestations().stream().filter(o -> !o.to().equals(dropped)).toList());
      }
    }
    RING.forEach(m -> assertFalse(a.of(m).mayReveal(), m + ": site-d never attested"));
    RING.forEach(m -> assertEquals(Optional.empty(), a.of(m).allSeeds(), m));
    assertEquals(List.of(dropped), a.of("site-b").notAttested());

    // Everything the curious member took, opened with its pair keys: one share of each peer's seed, nothing more.
    Map<String, List<SeedShares.Share>> sharesOf = new HashMap<>();
    for (PeerMessage m : a.received.get(curious)) {
      byte[] body = PeerEnvelope.open(a.pairSecret(curious, m.from()), new PeerEnvelope.Binding(a.id.round(),
          a.id.attempt(), a.id.nonce(), m.from(), curious, m.kind().name()),
          new PeerEnvelope.Sealed(m.iv(), m.ciphertext()));
      switch (m.kind()) {
        case SEED_SHARE -> sharesOf.computeIfAbsent(m.from(), o -> new ArrayList<>())
            .add(SeedShares.Share.decode(body));
        case SUM_HELD -> assertEquals(m.from(), org.fedmesh.mpc.SignedAttestation.decode(body).nodeId()); // no secret
        default -> { }
        case REVEAL -> throw new AssertionError("no one revealed, yet " + m.from() + " sent a REVEAL");
      }
    }
    int threshold = SeedShares.threshold(RING.size());
    assertEquals(3, threshold);
    for (String owner : RING) {
      if (owner.equals(curious)) {
        continue;
      }
      List<SeedShares.Share> held = sharesOf.get(owner);
      assertEquals(1, held.size(), "shares of " + owner + "'s seed");
      assertThrows(IllegalArgumentException.class, () -> SeedShares.rebuild(held, threshold));
      assertFalse(Arrays.equals(a.seedOf(owner), SeedShares.rebuild(held, 1)), owner);
    }

    // Even breaking its own rule and revealing, it cannot reach the seeds; and its early reveal makes no one else
    // reveal, nor lets anyone else rebuild (2 shares of each seed are still fewer than 3).
    a.deliver(a.of(curious).reveals());
    assertEquals(Optional.empty(), a.of(curious).allSeeds());
    for (String m : RING) {
      if (!m.equals(curious)) {
        assertFalse(a.of(m).mayReveal(), m);
        assertEquals(Optional.empty(), a.of(m).allSeeds(), m);
      }
    }
  }

  @Test
  void receive_refusesForgedMisdirectedStaleAndRelabelledMessages_andTheyChangeNothing() {
    Attempt a = attempt;
    String me = "site-a";
    SelfMaskExchange exchange = a.of(me);
    Map<String, List<Outgoing>> shares = new LinkedHashMap<>();
    RING.forEach(m -> shares.put(m, a.of(m).seedShares()));
    // site-a takes every share but site-b's: site-b's would be the one to let it attest.
    for (String m : List.of("site-c", "site-d")) {
      a.deliverTo(me, shares.get(m));
    }
    PeerMessage fromB = a.messageTo(me, shares.get("site-b"));
    PeerMessage fromC = a.messageTo(me, shares.get("site-c"));

    // The same envelope from site-b in another attempt: same round and number with another nonce (after
    // failover), and the next attempt number.
    List<PeerMessage> otherAttempts = new ArrayList<>();
    for (AttemptId other : List.of(new AttemptId(1, 1, a.id.nonceHigh(), ~a.id.nonceLow()),
        AttemptId.fresh(1, 2, random))) {
      Attempt elsewhere = new Attempt(other);
      otherAttempts.add(elsewhere.messageTo(me, elsewhere.of("site-b").seedShares()));
    }

    Map<String, PeerMessage> refused = new LinkedHashMap<>();
    refused.put("a flipped ciphertext byte", withCiphertext(fromB, flip(fromB.ciphertext(), 5)));
    refused.put("a flipped tag byte",
        withCiphertext(fromB, flip(fromB.ciphertext(), fromB.ciphertext().length - 1)));
    refused.put("a flipped IV byte", new PeerMessage(fromB.attempt(), fromB.from(), fromB.kind(),
        flip(fromB.iv(), 0), fromB.ciphertext()));
    refused.put("site-c's share claiming to come from site-b", new PeerMessage(fromC.attempt(), "site-b",
        fromC.kind(), fromC.iv(), fromC.ciphertext()));
    refused.put("a share from another attempt (other nonce)", otherAttempts.get(0));
    refused.put("a share from another attempt (next number)", otherAttempts.get(1));
    for (int i = 0; i < otherAttempts.size(); i++) {
      PeerMessage stale = otherAttempts.get(i);
      refused.put("a share from another attempt relabelled as this one (" + i + ")",
          new PeerMessage(a.id, stale.from(), stale.kind(), stale.iv(), stale.ciphertext()));
    }
    refused.put("site-b's share replayed as an attestation", withKind(fromB, Kind.SUM_HELD));
    refused.put("site-b's share replayed as a reveal", withKind(fromB, Kind.REVEAL));
    refused.put("site-b's share claiming to come from site-a itself", new PeerMessage(fromB.attempt(), me,
        fromB.kind(), fromB.iv(), fromB.ciphertext()));
    refused.put("site-b's share claiming to come from an outsider", new PeerMessage(fromB.attempt(), "site-x",
        fromB.kind(), fromB.iv(), fromB.ciphertext()));
    // site-b's share for site-c, handed to site-a.
    PeerMessage misdirected = a.messageTo("site-c", shares.get("site-b"));
    refused.put("site-b's share for site-c", misdirected);

    refused.forEach((what, message) -> {
      Optional<String> reason = exchange.receive(message);
      assertTrue(reason.isPresent(), what + " is refused");
      assertTrue(reason.get().contains(message.from()), what + ": '" + reason.get() + "' names " + message.from());
      assertFalse(exchange.mayAttest(), what + " changes nothing");
      assertFalse(exchange.mayReveal(), what + " changes nothing");
    });
    // The reason names the claimed sender and this exchange's attempt (the message's is another).
    assertEquals(Optional.of("site-b is not a peer of " + a.id), exchange.receive(otherAttempts.get(1)));

    // The genuine share is still taken and lets site-a attest: the refusals above were about the messages.
    a.deliver(List.of(new Outgoing(me, fromB)));
    assertTrue(exchange.mayAttest());
    List<Outgoing> myAttestations = exchange.attestations();

    // Attestations: the others attest, except site-b, whose attestation would let site-a reveal.
    for (String m : List.of("site-c", "site-d", "site-b")) {
      a.deliver(shares.get(m).stream().filter(o -> !o.to().equals(me)).toList());
    }
    a.deliver(myAttestations);
    Map<String, List<Outgoing>> attestations = new LinkedHashMap<>();
    for (String m : List.of("site-c", "site-d", "site-b")) {
      attestations.put(m, a.of(m).attestations());
    }
    a.deliverTo(me, attestations.get("site-c"));
    a.deliverTo(me, attestations.get("site-d"));
    PeerMessage attestationOfB = a.messageTo(me, attestations.get("site-b"));
    PeerMessage attestationOfC = a.messageTo(me, attestations.get("site-c"));
    assertFalse(exchange.mayReveal());

    Map<String, PeerMessage> refusedLater = new LinkedHashMap<>();
    refusedLater.put("site-b's (taken) share replayed as an attestation", withKind(fromB, Kind.SUM_HELD));
    refusedLater.put("site-b's attestation with a flipped tag byte", withCiphertext(attestationOfB,
        flip(attestationOfB.ciphertext(), 0)));
    refusedLater.put("site-c's attestation claiming to come from site-b", new PeerMessage(attestationOfC.attempt(),
        "site-b", Kind.SUM_HELD, attestationOfC.iv(), attestationOfC.ciphertext()));
    refusedLater.put("site-b's attestation replayed as a share", withKind(attestationOfB, Kind.SEED_SHARE));
    refusedLater.put("site-b's attestation replayed as a reveal", withKind(attestationOfB, Kind.REVEAL));
    refusedLater.forEach((what, message) -> {
      Optional<String> reason = exchange.receive(message);
      assertTrue(reason.isPresent(), what + " is refused");
      assertTrue(reason.get().contains(message.from()), what + ": '" + reason.get() + "' names " + message.from());
      assertFalse(exchange.mayReveal(), what + " changes nothing");
      assertFalse(exchange.mayAttest(), what + " changes nothing");
      assertEquals(List.of("site-b"), exchange.notAttested(), what + " changes nothing");
    });

    a.deliver(List.of(new Outgoing(me, attestationOfB)));
    assertTrue(exchange.mayReveal(), "the genuine attestation is taken");
  }

  @Test
  void receive_refusedReveal_leavesTheSeedsUnknown() {
    Attempt a = attempt;
    String me = "site-a";
    a.everyoneSharesSeeds();
    RING.forEach(m -> a.deliver(a.of(m).attestations()));
    Map<String, List<Outgoing>> reveals = new LinkedHashMap<>();
    RING.forEach(m -> reveals.put(m, a.of(m).reveals()));
    a.deliverTo(me, reveals.get("site-c"));
    // site-a now knows site-c's and its own seed, and holds two shares of site-b's and of site-d's: one too few.
    assertEquals(Optional.empty(), a.of(me).allSeeds());
    PeerMessage revealOfB = a.messageTo(me, reveals.get("site-b"));
    PeerMessage revealOfC = a.messageTo(me, reveals.get("site-c"));
    List<PeerMessage> refused = List.of(
        withCiphertext(revealOfB, flip(revealOfB.ciphertext(), 40)),
        new PeerMessage(a.id, "site-b", Kind.REVEAL, revealOfC.iv(), revealOfC.ciphertext()),
        withKind(revealOfB, Kind.SUM_HELD),
        withKind(revealOfB, Kind.SEED_SHARE));
    for (PeerMessage message : refused) {
      Optional<String> reason = a.of(me).receive(message);
      assertTrue(reason.isPresent(), message + " is refused");
      assertTrue(reason.get().contains("site-b"), reason.get());
      assertEquals(Optional.empty(), a.of(me).allSeeds(), message + " changes nothing");
    }
    a.deliver(List.of(new Outgoing(me, revealOfB)));
    assertSameSeeds(ownSeeds(a), a.of(me).allSeeds().orElseThrow(), me);
  }

  /** A certified participant's own reveal, properly sealed under its pair key, but with the seed of its choice. */
  private PeerMessage revealFrom(Attempt a, String from, String to, byte[] seed, Map<String, SeedShares.Share> shares) {
    PeerEnvelope.Sealed sealed = PeerEnvelope.seal(a.pairSecret(from, to), new PeerEnvelope.Binding(a.id.round(),
        a.id.attempt(), a.id.nonce(), from, to, Kind.REVEAL.name()), new SelfMaskReveal(seed, shares).encode(), random);
    return new PeerMessage(a.id, from, Kind.REVEAL, sealed.iv(), sealed.ciphertext());
  }

  /** The shares {@code member} holds of the others' seeds, as its reveal carries them. */
  private static Map<String, SeedShares.Share> sharesHeldBy(Attempt a, String member, String to) throws Exception {
    PeerMessage honest = a.messageTo(to, a.of(member).reveals());
    byte[] body = PeerEnvelope.open(a.pairSecret(to, member), new PeerEnvelope.Binding(a.id.round(), a.id.attempt(),
        a.id.nonce(), member, to, Kind.REVEAL.name()), new PeerEnvelope.Sealed(honest.iv(), honest.ciphertext()));
    return SelfMaskReveal.decode(body).shares();
  }

  @Test
  void reveal_ofASeedOtherThanTheCommittedOne_isRefusedNamingItsSender_andTheSeedIsRebuilt() throws Exception {
    Attempt a = attempt;
    String liar = "site-d";
    String me = "site-a";
    a.everyoneSharesSeeds();
    RING.forEach(m -> a.deliver(a.of(m).attestations()));
    byte[] wrongSeed = a.seedOf(liar);
    wrongSeed[0] ^= 1;
    Optional<String> refused = a.of(me).receive(revealFrom(a, liar, me, wrongSeed, sharesHeldBy(a, liar, me)));
    assertTrue(refused.isPresent() && refused.get().contains(liar) && refused.get().contains("committed"),
        String.valueOf(refused));
    assertTrue(a.of(me).sumMayBeKnown(), "a reveal, even a wrong one, says its sender may know the sum");
    for (String m : List.of("site-c", "site-b")) {
      a.deliverTo(me, a.of(m).reveals());
    }
    a.deliver(a.of(me).reveals());
    List<byte[]> seeds = a.of(me).allSeeds().orElseThrow(() -> new AssertionError("the liar's seed is rebuilt"));
    assertSameSeeds(ownSeeds(a), seeds, me);
  }

  @Test
  void rebuild_withAWrongShare_givesNoSeed_ratherThanAWrongOne() throws Exception {
    Attempt a = attempt;
    String lost = "site-d";
    String me = "site-a";
    a.everyoneSharesSeeds();
    RING.forEach(m -> a.deliver(a.of(m).attestations())); // site-d attests, then is lost
    a.deliverTo(me, a.of("site-c").reveals());
    // site-b reveals a tampered share of site-d's seed (its own seed is right).
    Map<String, SeedShares.Share> shares = new HashMap<>(sharesHeldBy(a, "site-b", me));
    SeedShares.Share genuine = shares.get(lost);
    shares.put(lost, new SeedShares.Share(genuine.index(), flip(genuine.value(), 3)));
    // Checked against site-d's commitment to that share, it is refused at once, naming site-b; site-b's own seed,
    // which is right, is still taken.
    Optional<String> refused = a.of(me).receive(revealFrom(a, "site-b", me, a.seedOf("site-b"), shares));
    assertTrue(refused.orElseThrow().contains("site-b revealed a share of the seed of [site-d]"), refused.toString());
    a.deliver(a.of(me).reveals().stream().filter(o -> !o.to().equals(lost)).toList());

    assertEquals(Optional.empty(), a.of(me).allSeeds(), "no seed of site-d rather than a wrong one");
    assertFalse(a.of(me).seedsKnown().containsKey(lost));
    assertTrue(a.of(me).seedsKnown().containsKey("site-b"));
  }

  @Test
  void seedShare_otherThanTheOneItsDealerCommittedTo_isRefusedNamingTheDealer_andHoldsUpTheAttestation() {
    Attempt fresh = new Attempt(attempt.id).summed();
    // site-b deals site-a a share of its seed with one bit changed, properly sealed under their pair key.
    PeerMessage honest = fresh.messageTo("site-a", fresh.of("site-b").seedShares());
    SeedShares.Share genuine = SeedShares.Share.decode(open(fresh, "site-b", "site-a", honest));
    PeerMessage tampered = sealedAs(fresh, "site-b", "site-a", Kind.SEED_SHARE,
        new SeedShares.Share(genuine.index(), flip(genuine.value(), 0)).encode());
    Optional<String> refused = fresh.of("site-a").receive(tampered);
    assertTrue(refused.orElseThrow().contains("site-b dealt a share of its own seed that is not the one it"
        + " committed to"), refused.toString());
    RING.stream().filter(m -> !m.equals("site-a") && !m.equals("site-b"))
        .forEach(m -> fresh.deliverTo("site-a", fresh.of(m).seedShares()));
    assertFalse(fresh.of("site-a").mayAttest(), "no share of site-b's seed taken");
    assertEquals(Optional.empty(), fresh.of("site-a").receive(honest));
    assertTrue(fresh.of("site-a").mayAttest());
  }

  private static byte[] flip(byte[] bytes, int at) {
    byte[] flipped = bytes.clone();
    flipped[at] ^= 1;
    return flipped;
  }

  private static PeerMessage withCiphertext(PeerMessage m, byte[] ciphertext) {
    return new PeerMessage(m.attempt(), m.from(), m.kind(), m.iv(), ciphertext);
  }

  private static PeerMessage withKind(PeerMessage m, Kind kind) {
    assertNotEquals(m.kind(), kind);
    return new PeerMessage(m.attempt(), m.from(), kind, m.iv(), m.ciphertext());
  }

  /** Takes every seed's keystream off {@code sum}, as a member does with its segment. */
  private static void unmask(long[] sum, java.util.List<byte[]> seeds) {
    seeds.forEach(seed -> org.fedmesh.mpc.MaskPrg.add(sum, seed, true));
  }
}
