package org.fedmesh.node.secure;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.mpc.SignedAttestation;
import org.fedmesh.mpc.SumHeld;
import org.fedmesh.mpc.PeerEnvelope;
import org.fedmesh.mpc.SeedShares;
import org.fedmesh.mpc.SelfMaskReveal;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.SelfMaskProtocol.Kind;
import org.fedmesh.protocols.SelfMaskProtocol.PeerMessage;

/**
 * One member's side of double masking in one attempt (see {@link org.fedmesh.protocols.SelfMaskProtocol}): it
 * hands out shares of its self-mask seed, keeps the peers' shares, collects attestations, and knows when it may
 * reveal and when every participant's seed is known. It enforces its own part: it makes no reveal before every
 * participant attested, whatever the coordinator or a peer says. Every message it takes must open under the pair
 * secret of its claimed sender; anything else is refused with the reason. An attestation is a statement signed with
 * the sender's certified identity key ({@link SignedAttestation}), so that the attestations this member held before
 * it revealed can later prove, to anyone holding the CA, that a participant lost after it held the sum took part. A seed, revealed or rebuilt from shares,
 * counts only if it is the one its owner committed to in its signed key: a participant that reveals a wrong seed
 * is named, and its seed is rebuilt from the others' shares instead.
 */
public final class SelfMaskExchange {

  /** A message for one peer. */
  public record Outgoing(String to, PeerMessage message) {}

  private final AttemptSecrets secrets;
  private final AttemptId attempt;
  private final String me;
  private final List<String> participants;
  private final Map<String, byte[]> pairSecrets = new HashMap<>();
  private final List<SeedShares.Share> ownSeedShares;
  private final int threshold;
  private final SecureRandom random;
  /** The share this member holds of each participant's seed (its own included), by participant. */
  private final Map<String, SeedShares.Share> held = new HashMap<>();
  private final SumHeld statement;
  /** This member's own attestation, signed off the actor's thread while the ring runs. */
  private final CompletableFuture<SignedAttestation> ownAttestation;
  private final Map<String, SignedAttestation> attested = new HashMap<>();
  /** Seeds revealed by their owners, and the shares of each seed others revealed, by owner. */
  private final Map<String, byte[]> seeds = new HashMap<>();
  private final Map<String, Map<String, SeedShares.Share>> revealedShares = new HashMap<>();
  private boolean holdsSum;
  private boolean attesting;
  private boolean revealing;
  /** Peers whose reveal came: each had every attestation, so the sum may now be known to them. */
  private final Set<String> revealedBy = new HashSet<>();
  /** Owners whose committed shares rebuild another seed than the committed one, and what was found, to log once. */
  private final Set<String> inconsistentDealers = new HashSet<>();
  private final List<String> findings = new ArrayList<>();

  private final int vectorLength;
  private final int myIndex;
  /** The ring successor's masked summed segment, which this member keeps (from the ring) before it attests. */
  private final int keptStart;
  private long[] kept;
  /** Unmasked segments, by segment, put together only when a participant was lost after every one attested. */
  private SegmentCopies.Assembly[] recovered;

  /**
   * {@code peerKeys}: every other participant's verified ephemeral key; {@code participants}: in ring order;
   * {@code previousHash}: the model the attempt starts from; {@code vectorLength}: the summed vector's words;
   * {@code signing} signs this member's attestation.
   */
  public SelfMaskExchange(AttemptSecrets secrets, List<String> participants, Map<String, byte[]> peerKeys,
                          String previousHash, int vectorLength, Executor signing, SecureRandom random) {
    this.secrets = secrets;
    this.attempt = secrets.attempt();
    this.me = secrets.nodeId();
    this.participants = List.copyOf(participants);
    this.random = random;
    this.threshold = SeedShares.threshold(participants.size());
    peerKeys.forEach((peer, key) -> pairSecrets.put(peer, secrets.sharedSecret(key)));
    this.ownSeedShares = secrets.ownShares();
    held.put(me, ownSeedShares.get(participants.indexOf(me)));
    this.statement = new SumHeld(attempt.round(), attempt.attempt(), attempt.nonce(), participants, previousHash);
    this.ownAttestation = CompletableFuture.supplyAsync(() -> secrets.attest(statement), signing);
    this.vectorLength = vectorLength;
    this.myIndex = participants.indexOf(me);
    this.keptStart = RingAllReduce.summedSegment(participants.size(), vectorLength,
        Math.floorMod(myIndex + 1, participants.size()))[0];
  }

  /** The summed segment of the participant at ring index {@code index}, to be put together. */
  private SegmentCopies.Assembly segment(int index) {
    int[] range = RingAllReduce.summedSegment(participants.size(), vectorLength, index);
    return new SegmentCopies.Assembly(range[0], range[1]);
  }

  /** Share i of this member's seed for participant i: sent when the keys verify. */
  public List<Outgoing> seedShares() {
    List<Outgoing> out = new ArrayList<>();
    for (int i = 0; i < participants.size(); i++) {
      String peer = participants.get(i);
      if (!peer.equals(me)) {
        out.add(envelope(peer, Kind.SEED_SHARE, ownSeedShares.get(i).encode()));
      }
    }
    return out;
  }

  /** Takes a peer's message; the reason it was refused, if it was. A repeated message changes nothing. */
  public Optional<String> receive(PeerMessage message) {
    String from = message.from();
    byte[] secret = pairSecrets.get(from);
    if (!message.attempt().equals(attempt) || secret == null) {
      return Optional.of(from + " is not a peer of " + attempt);
    }
    byte[] body;
    try {
      body = PeerEnvelope.open(secret, binding(from, me, message.kind()),
          new PeerEnvelope.Sealed(message.iv(), message.ciphertext()));
    } catch (GeneralSecurityException e) {
      return Optional.of("its " + message.kind() + " claiming to come from " + from
          + " does not open under their pair key (forged, altered or replayed from elsewhere)");
    }
    try {
      switch (message.kind()) {
        case SEED_SHARE -> {
          SeedShares.Share share = SeedShares.Share.decode(body);
          if (!secrets.isCommittedShare(from, share)) {
            return Optional.of(from + " dealt a share of its own seed that is not the one it committed to in its"
                + " signed key");
          }
          take(from, share);
        }
        case SEGMENT -> {
          return takeSegment(from, body).map(why -> from + " sent " + why);
        }
        case SUM_HELD -> {
          Optional<String> problem = attestationProblem(from, body);
          if (problem.isPresent()) {
            return problem;
          }
        }
        case REVEAL -> {
          SelfMaskReveal reveal = SelfMaskReveal.decode(body);
          List<String> wrong = take(from, reveal);
          List<String> problems = new ArrayList<>();
          if (secrets.isCommittedSeed(from, reveal.seed())) {
            seeds.putIfAbsent(from, reveal.seed());
          } else {
            problems.add(from + " revealed a self-mask seed that is not the one it committed to in its signed key; it"
                + " is rebuilt from the other participants' shares instead");
          }
          if (!wrong.isEmpty()) {
            problems.add(from + " revealed a share of the seed of " + wrong + " that its owner did not commit to;"
                + " the share is not used");
          }
          return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
        }
      }
    } catch (IllegalArgumentException e) {
      return Optional.of("the " + message.kind() + " of " + from + " is malformed: " + e.getMessage());
    }
    return Optional.empty();
  }

  /**
   * A chunk of an unmasked segment from a peer in recovery: of the segment it summed itself, or of its
   * successor's, which it kept as a backup.
   */
  private Optional<String> takeSegment(String from, byte[] body) {
    int index = participants.indexOf(from);
    int offset = SegmentCopies.offsetOf(body);
    SegmentCopies.Assembly[] segments = recoveredSegments();
    int n = participants.size();
    for (int k : new int[] {Math.floorMod(index + 1, n), Math.floorMod(index + 2, n)}) { // its own, its successor's
      if (segments[k].covers(offset)) {
        return segments[k].take(body);
      }
    }
    return Optional.of("a segment chunk at word " + offset + ", outside its own segment and the one it keeps");
  }

  private SegmentCopies.Assembly[] recoveredSegments() {
    if (recovered == null) {
      recovered = new SegmentCopies.Assembly[participants.size()];
      for (int i = 0; i < recovered.length; i++) {
        recovered[Math.floorMod(i + 1, recovered.length)] = segment(i);
      }
    }
    return recovered;
  }

  /**
   * Why {@code body} is not {@code from}'s attestation of this attempt, if it is not; kept if it is. The envelope
   * already proves who sent it, which is all the reveal needs; its signature, which only a commit certificate needs,
   * is checked there (by the coordinator as it builds one, by every member as it verifies it), not here on the
   * round's critical path.
   */
  private Optional<String> attestationProblem(String from, byte[] body) {
    SignedAttestation attestation = SignedAttestation.decode(body);
    if (!attestation.nodeId().equals(from)) {
      return Optional.of(from + " sent an attestation signed as " + attestation.nodeId());
    }
    if (!attestation.statement().equals(statement)) {
      return Optional.of(from + " attested " + attestation.statement() + ", not " + statement);
    }
    attested.putIfAbsent(from, attestation);
    return Optional.empty();
  }

  private void take(String from, SeedShares.Share share) {
    int expected = participants.indexOf(me) + 1;
    if (share.index() != expected) {
      throw new IllegalArgumentException("it holds share " + share.index() + ", not this member's share " + expected);
    }
    held.putIfAbsent(from, share);
  }

  /**
   * The reveal's shares of others' seeds, each only if its owner committed to it; its own seed is taken only once
   * checked against its commitment (by the caller). Returns the owners whose share it revealed wrong.
   */
  private List<String> take(String from, SelfMaskReveal reveal) {
    revealedBy.add(from);
    List<String> wrong = new ArrayList<>();
    reveal.shares().forEach((owner, share) -> {
      if (participants.contains(owner) && !owner.equals(from)
          && share.index() == participants.indexOf(from) + 1) {
        if (secrets.isCommittedShare(owner, share)) {
          revealedShares.computeIfAbsent(owner, o -> new HashMap<>()).putIfAbsent(from, share);
        } else {
          wrong.add(owner);
        }
      }
    });
    return wrong.stream().sorted().toList();
  }

  /**
   * This member now holds its part of the masked sum and its ring successor's, from word {@code keptOffset}
   * ({@link RingAllReduce.SegmentSummed}); {@code kept} is this exchange's from now on (the ring's report is a copy).
   */
  public void holdsSum(int keptOffset, long[] kept) {
    if (keptOffset != keptStart) {
      throw new IllegalArgumentException("the ring kept a segment from word " + keptOffset
          + ", not the successor's from " + keptStart);
    }
    this.kept = kept;
    holdsSum = true;
  }

  /**
   * Whether this member may attest now: it holds its part of the masked sum, its successor's too, and every
   * participant's seed share. Once every participant attested, every segment is so held twice.
   */
  public boolean mayAttest() {
    return holdsSum && !attesting && held.keySet().containsAll(participants);
  }

  /** The successor's masked summed segment this member keeps: its first word, and its words once held. */
  public int backupStart() {
    return keptStart;
  }

  public long[] backupValues() {
    if (!holdsSum) {
      throw new IllegalStateException("the successor's segment is not held yet");
    }
    return kept.clone();
  }

  /**
   * An unmasked segment, from word {@code start}, sent directly to each of {@code to} in recovery, and kept as this
   * member's own copy of it.
   */
  public List<Outgoing> unmaskedSegment(List<String> to, int start, long[] values) {
    for (SegmentCopies.Assembly segment : recoveredSegments()) {
      if (segment.start() == start && segment.values().length == values.length) {
        segment.putAll(values);
      }
    }
    List<Outgoing> out = new ArrayList<>();
    for (byte[] body : SegmentCopies.chunks(start, values)) {
      to.forEach(peer -> out.add(envelope(peer, Kind.SEGMENT, body)));
    }
    return out;
  }

  /** The whole unmasked sum, once recovery put every segment together. */
  public Optional<long[]> recoveredSum() {
    if (recovered == null || !java.util.Arrays.stream(recovered).allMatch(SegmentCopies.Assembly::complete)) {
      return Optional.empty();
    }
    long[] sum = new long[vectorLength];
    for (SegmentCopies.Assembly segment : recovered) {
      System.arraycopy(segment.values(), 0, sum, segment.start(), segment.values().length);
    }
    return Optional.of(sum);
  }

  /** The attestations that this member holds the masked sum (and every share), one per peer. */
  public List<Outgoing> attestations() {
    attesting = true;
    return toEveryPeer(Kind.SUM_HELD, ownAttestation.join().encode());
  }

  /** Whether this member may reveal now: it attested, and so did every other participant. */
  public boolean mayReveal() {
    return attesting && !revealing && attested.keySet().containsAll(peers());
  }

  /** This member's seed and its shares of every other seed, one envelope per peer. */
  public List<Outgoing> reveals() {
    revealing = true;
    Map<String, SeedShares.Share> shares = new HashMap<>(held);
    shares.remove(me);
    seeds.put(me, secrets.selfSeed());
    return toEveryPeer(Kind.REVEAL, new SelfMaskReveal(secrets.selfSeed(), shares).encode());
  }

  public boolean hasRevealed() {
    return revealing;
  }

  /**
   * Whether this attempt's sum may be known to some participant: this member revealed, or a peer did (a peer
   * reveals only once every participant attested, so it, and whoever gets enough reveals, can unmask). From then
   * on this member's update must go into no other attempt, even if it never revealed itself.
   */
  public boolean sumMayBeKnown() {
    return revealing || !revealedBy.isEmpty();
  }

  /** Every participant's seed, in ring order, once this member revealed and each was revealed or rebuilt. */
  public Optional<List<byte[]>> allSeeds() {
    Map<String, byte[]> known = seedsKnown();
    if (!revealing || known.size() < participants.size()) {
      return Optional.empty();
    }
    return Optional.of(participants.stream().map(known::get).toList());
  }

  /**
   * The seeds this member knows now, by owner: its own, those revealed to it, and those it can rebuild from the
   * shares revealed to it. Its own seed's mask can so come off its segment while it waits for the others.
   */
  public Map<String, byte[]> seedsKnown() {
    for (String owner : participants) {
      if (!seeds.containsKey(owner) && !owner.equals(me) && held.containsKey(owner)) {
        List<SeedShares.Share> shares = new ArrayList<>(revealedShares.getOrDefault(owner, Map.of()).values());
        shares.add(held.get(owner));
        if (shares.size() >= threshold) {
          // Every share here matched its owner's commitment (a wrong one is refused on arrival), so a rebuild that
          // misses the committed seed means the owner dealt shares of another seed: never used, so the attempt
          // waits for its deadline rather than summing to garbage, and the owner is named.
          byte[] rebuilt = SeedShares.rebuild(shares, threshold);
          if (secrets.isCommittedSeed(owner, rebuilt)) {
            seeds.put(owner, rebuilt);
          } else if (inconsistentDealers.add(owner)) {
            findings.add(owner + " dealt shares that match its commitments but do not rebuild its committed seed");
          }
        }
      }
    }
    Map<String, byte[]> known = new HashMap<>(seeds);
    known.put(me, secrets.selfSeed());
    return known;
  }

  /** What this member found out about a participant outside any one message (logged once by the caller). */
  public List<String> drainFindings() {
    List<String> out = List.copyOf(findings);
    findings.clear();
    return out;
  }

  /** Which peers have not attested yet. */
  public List<String> notAttested() {
    return peers().stream().filter(p -> !attested.containsKey(p)).toList();
  }

  /** The peers' verified attestations, in ring order: every peer's once this member revealed. */
  public List<SignedAttestation> peerAttestations() {
    return peers().stream().filter(attested::containsKey).map(attested::get).toList();
  }

  private List<String> peers() {
    return participants.stream().filter(p -> !p.equals(me)).toList();
  }

  private List<Outgoing> toEveryPeer(Kind kind, byte[] body) {
    return peers().stream().map(peer -> envelope(peer, kind, body)).toList();
  }

  private Outgoing envelope(String peer, Kind kind, byte[] body) {
    PeerEnvelope.Sealed sealed = PeerEnvelope.seal(pairSecrets.get(peer), binding(me, peer, kind), body, random);
    return new Outgoing(peer, new PeerMessage(attempt, me, kind, sealed.iv(), sealed.ciphertext()));
  }

  private PeerEnvelope.Binding binding(String from, String to, Kind kind) {
    return new PeerEnvelope.Binding(attempt.round(), attempt.attempt(), attempt.nonce(), from, to, kind.name());
  }
}
