package org.fedmesh.protocols;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One synchronous round between the coordinator (a cluster singleton) and the participants. The coordinator
 * only ever sees control messages: keys signed by their owners, hashes, sample totals — never a vector.
 *
 * <pre>
 * coordinator                         participant
 *   QueryStatus ───────────────────▶
 *               ◀───────────────────   MemberStatus (last committed round and hash, pending round if any)
 *   StartRound  ───────────────────▶   announces the attempt to its ring endpoint, makes an ephemeral key, trains
 *               ◀───────────────────   Ready (with the key, signed by the member's certified key)
 *   RoundKeys   ───────────────────▶   verifies every key, masks its update, ring all-reduce with the peers
 *               ◀───────────────────   Contributed (its masked update is in the ring)
 *               ◀───────────────────   Aggregated (hash of the new model, signed) | AttemptFailed
 *   CommitRound ───────────────────▶   checks the certificate (every ring member's signature), writes a
 *   (certificate)                      checkpoint, adopts the pending model
 *               ◀───────────────────   RoundCommitted (checkpoint written) | CommitFailed
 *   AbortAttempt ──────────────────▶   drops the attempt (keeps its trained update for the next attempt)
 *   RecoverAttempt ────────────────▶   a participant was lost after every one attested: the survivors exchange
 *                                      unmasked segments directly and report Aggregated as above (one that has
 *                                      not revealed its seed answers AttemptFailed at once)
 *
 * at the deadline, when every member reported Contributed but results are missing:
 *   ReportRingLinks ───────────────▶
 *               ◀───────────────────   RingLinks (what its ring predecessor sent it: its own pieces, misfits)
 * </pre>
 *
 * <p>Who may send what, and what stops a forged, replayed or stale message. Every {@link Sealable} message carries
 * its sender's seal: a signature with its certified identity key over a type tag and every field (the attempt with
 * its random nonce, actor refs by full address). "Host" is the member hosting the coordinator singleton in the
 * receiver's own view of the cluster (the oldest trainer member, up or leaving).
 *
 * <table>
 *   <caption>Control messages</caption>
 *   <tr><th>message</th><th>sender</th><th>forged (by another certified member or an outsider)</th>
 *       <th>replayed or stale</th></tr>
 *   <tr><td>StartRound</td><td>coordinator</td><td>refused unless sealed by the host; a non-host signer is answered
 *       once with AttemptFailed</td><td>ignored if its attempt is older than, or the same as, one taken in its
 *       round</td></tr>
 *   <tr><td>RoundKeys</td><td>coordinator</td><td>refused unless sealed by the host; each key is signed by its
 *       owner too</td><td>ignored unless for the attempt in flight (the seal covers the nonce)</td></tr>
 *   <tr><td>AbortAttempt</td><td>coordinator</td><td>refused unless sealed by the host</td><td>ends nothing unless
 *       it names the attempt in flight or pending</td></tr>
 *   <tr><td>RecoverAttempt</td><td>coordinator</td><td>refused unless sealed by the host</td><td>ignored unless for
 *       the attempt in flight, and until this member revealed its seed in it</td></tr>
 *   <tr><td>CommitRound</td><td>coordinator</td><td>refused unless sealed by the host; the commit certificate must
 *       verify as well</td><td>commits only the pending result it certifies; for the round held, acknowledged
 *       again</td></tr>
 *   <tr><td>CatchUp</td><td>coordinator</td><td>refused unless sealed by the host; the certificate must
 *       verify</td><td>ignored for a round held already</td></tr>
 *   <tr><td>Ready, Contributed, AttemptFailed, Aggregated</td><td>participant named by nodeId</td><td>dropped unless
 *       the seal's signer is that node and a member of the attempt</td><td>the attempt's own child actor receives
 *       them: another attempt's land in dead letters; a repeat changes nothing</td></tr>
 *   <tr><td>RoundCommitted, CommitFailed</td><td>participant named by nodeId</td><td>dropped unless the seal's
 *       signer is that node and in the ring</td><td>counted once per node, for the commit under way</td></tr>
 *   <tr><td>RingLinks</td><td>participant named by nodeId</td><td>dropped unless the seal's signer is that node
 *       and a member of the attempt: a report accuses its sender's predecessor</td><td>only the attempt's own child
 *       asks and counts them, once per node</td></tr>
 *   <tr><td>ReportRingLinks</td><td>coordinator</td><td>not sealed: a query; a forger learns how many pieces a
 *       member got from its predecessor, nothing of their values</td><td>-</td></tr>
 *   <tr><td>MemberStatus</td><td>participant named in it</td><td>dropped unless sealed by that node, and its
 *       refs live at the address certified for it; the attestations it carries count only when each is signed by
 *       the member it names, for the pending attempt (checked by the planner, then against the CA by every member
 *       that verifies the commit); a revealed attempt's ring leads only to a RecoverAttempt to members that all
 *       say they revealed in it, which changes nothing for one that did not</td><td>bound to the coordinator that
 *       asked: one that took over drops its predecessor's answers</td></tr>
 *   <tr><td>QueryStatus</td><td>coordinator</td><td>not sealed: a query changes nothing; the answer goes to whoever
 *       asked, who learns the member's round, hashes and signed pending result (no update)</td><td>-</td></tr>
 * </table>
 */
public final class RoundProtocol {
  private RoundProtocol() {}

  /** What a participant accepts. */
  public interface ParticipantCommand {}

  /** What the coordinator accepts. */
  public interface CoordinatorCommand {}

  /** Asks a participant where it stands; sent before every round, so a new coordinator needs no memory. */
  public record QueryStatus(ActorRef<CoordinatorCommand> replyTo) implements ParticipantCommand, CborSerializable {}

  /**
   * A participant's state: its last committed round and model hash, with the commit certificate that proves it
   * (null at round 0, or when its journal lost it); the attempt whose result it holds as pending (null when none)
   * with that result's hash and its signature of it; and the latest uncommitted attempt whose sum may be known to
   * its participants (a self-mask seed was revealed in it; in a plain round, part of the sum reached this member;
   * null when none) — retrying that round with fewer members and the same updates would reveal the difference, so
   * the member trains afresh (the coordinator only numbers the next attempt after it); and the latest attempt it took part in (null when none): it ignores a StartRound of an older attempt
   * of that round as a replay, so a coordinator that took over numbers its attempt after it. The signatures let a
   * coordinator that took over commit a result, or bring members up to date, without having seen the round.
   * Sealed by the member it describes, over every field and the coordinator that asked.
   */
  public record MemberStatus(
      RingMember member,
      long committedRound,
      String committedHash,
      CommitProof committedCertificate,
      AttemptId pendingAttempt,
      String pendingHash,
      ResultSignature pendingSignature,
      AttemptId revealedAttempt,
      AttemptId takenAttempt,
      List<Attestation> pendingAttestations,
      List<String> revealedRing,
      ActorRef<CoordinatorCommand> askedBy,
      ControlSignature seal) implements CoordinatorCommand, CborSerializable, Sealable<MemberStatus> {
    public MemberStatus {
      pendingAttestations = pendingAttestations == null ? List.of() : List.copyOf(pendingAttestations);
      revealedRing = revealedRing == null ? List.of() : List.copyOf(revealedRing);
    }

    /**
     * Unsealed, not bound to who asked: receivers refuse it until it is sealed. {@code pendingAttestations}: the
     * other participants' signed attestations of the pending attempt this member held when it decoded its sum;
     * {@code revealedRing}: the ring of {@code revealedAttempt} (node ids in ring order; empty when none or not
     * known here). From them a coordinator that took over learns whom an attempt whose sum may be known lost,
     * tells the survivors to complete it, and commits it without a participant lost after it attested.
     */
    public MemberStatus(RingMember member, long committedRound, String committedHash, CommitProof committedCertificate,
                        AttemptId pendingAttempt, String pendingHash, ResultSignature pendingSignature,
                        AttemptId revealedAttempt, AttemptId takenAttempt, List<Attestation> pendingAttestations,
                        List<String> revealedRing) {
      this(member, committedRound, committedHash, committedCertificate, pendingAttempt, pendingHash, pendingSignature,
          revealedAttempt, takenAttempt, pendingAttestations, revealedRing, null, null);
    }

    /** Unsealed, without attestations or a revealed attempt's ring. */
    public MemberStatus(RingMember member, long committedRound, String committedHash, CommitProof committedCertificate,
                        AttemptId pendingAttempt, String pendingHash, ResultSignature pendingSignature,
                        AttemptId revealedAttempt, AttemptId takenAttempt) {
      this(member, committedRound, committedHash, committedCertificate, pendingAttempt, pendingHash, pendingSignature,
          revealedAttempt, takenAttempt, List.of(), List.of());
    }

    /** A member that has taken part in no attempt (or does not say); unsealed. */
    public MemberStatus(RingMember member, long committedRound, String committedHash, CommitProof committedCertificate,
                        AttemptId pendingAttempt, String pendingHash, ResultSignature pendingSignature,
                        AttemptId revealedAttempt) {
      this(member, committedRound, committedHash, committedCertificate, pendingAttempt, pendingHash, pendingSignature,
          revealedAttempt, null);
    }

    /** The same status, as an answer to {@code asker}: sealed, it is bound to that coordinator. */
    public MemberStatus askedBy(ActorRef<CoordinatorCommand> asker) {
      return new MemberStatus(member, committedRound, committedHash, committedCertificate, pendingAttempt, pendingHash,
          pendingSignature, revealedAttempt, takenAttempt, pendingAttestations, revealedRing, asker, null);
    }

    @Override
    public MemberStatus withSeal(ControlSignature seal) {
      return new MemberStatus(member, committedRound, committedHash, committedCertificate, pendingAttempt, pendingHash,
          pendingSignature, revealedAttempt, takenAttempt, pendingAttestations, revealedRing, askedBy, seal);
    }
  }

  /** One member of a round's ring, in ring order. */
  public record RingMember(
      String nodeId,
      ActorRef<ParticipantCommand> participant,
      ActorRef<AllReduceProtocol.Command> ring) implements CborSerializable {}

  /**
   * Starts (or retries) a round from the committed model of round {@code attempt.round() - 1}, whose hash is
   * {@code baseModelHash}. With {@code secure} off the updates are summed unmasked (for comparison only). A retry
   * reuses the update each member trained for the round, unless that member itself revealed its self-mask seed in
   * an earlier attempt of the round: the same update over fewer members would then reveal the missing members'
   * ones. Each member decides that from its own state; nothing in this message can make it reuse an update.
   * {@code sharedSettings} maps each setting every member must share to a digest of the coordinator's value, so
   * that a member configured differently refuses the round naming the keys, instead of computing another model.
   */
  public record StartRound(
      AttemptId attempt,
      List<RingMember> ring,
      String baseModelHash,
      boolean secure,
      Map<String, String> sharedSettings,
      ActorRef<CoordinatorCommand> coordinator,
      ControlSignature seal) implements ParticipantCommand, CborSerializable, Sealable<StartRound> {
    public StartRound {
      ring = List.copyOf(ring);
      sharedSettings = Map.copyOf(sharedSettings);
    }

    /** Unsealed: receivers refuse it until it is sealed. */
    public StartRound(AttemptId attempt, List<RingMember> ring, String baseModelHash, boolean secure,
                      Map<String, String> sharedSettings, ActorRef<CoordinatorCommand> coordinator) {
      this(attempt, ring, baseModelHash, secure, sharedSettings, coordinator, null);
    }

    @Override
    public StartRound withSeal(ControlSignature seal) {
      return new StartRound(attempt, ring, baseModelHash, secure, sharedSettings, coordinator, seal);
    }
  }

  /**
   * An ephemeral X25519 public key for one attempt, signed with the member's certified identity key over
   * (round, attempt, nonce, node id, key, seed commitment); the certificate travels along so any peer can check it
   * against the CA. {@code seedCommitment} binds the member to the self-mask seed it may later reveal.
   */
  public record KeyAdvert(String nodeId, byte[] publicKey, byte[] seedCommitment, byte[] signature,
                          byte[] certificate) implements CborSerializable {
    @Override
    public boolean equals(Object o) {
      return o instanceof KeyAdvert k && nodeId.equals(k.nodeId) && Arrays.equals(publicKey, k.publicKey)
          && Arrays.equals(seedCommitment, k.seedCommitment) && Arrays.equals(signature, k.signature)
          && Arrays.equals(certificate, k.certificate);
    }

    @Override
    public int hashCode() {
      return Objects.hash(nodeId, Arrays.hashCode(publicKey), Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
      return "KeyAdvert[" + nodeId + ", key " + HexFormat.of().formatHex(publicKey, 0, Math.min(4, publicKey.length))
          + "…]";
    }
  }

  /**
   * The participant is in the attempt and its ring endpoint expects it, so peers may send to it; {@code key} is its
   * signed ephemeral key, null in a plain round.
   */
  public record Ready(AttemptId attempt, String nodeId, KeyAdvert key, ControlSignature seal)
      implements CoordinatorCommand, CborSerializable, Sealable<Ready> {
    /** Unsealed: receivers refuse it until it is sealed. */
    public Ready(AttemptId attempt, String nodeId, KeyAdvert key) {
      this(attempt, nodeId, key, null);
    }

    @Override
    public Ready withSeal(ControlSignature seal) {
      return new Ready(attempt, nodeId, key, seal);
    }
  }

  /**
   * Sent once every participant is {@link Ready}: the go for the all-reduce, with every participant's signed key as
   * the coordinator relays them (empty in a plain round); each participant verifies all of them.
   */
  public record RoundKeys(AttemptId attempt, List<KeyAdvert> keys, ControlSignature seal)
      implements ParticipantCommand, CborSerializable, Sealable<RoundKeys> {
    public RoundKeys {
      keys = List.copyOf(keys);
    }

    /** Unsealed: receivers refuse it until it is sealed. */
    public RoundKeys(AttemptId attempt, List<KeyAdvert> keys) {
      this(attempt, keys, null);
    }

    @Override
    public RoundKeys withSeal(ControlSignature seal) {
      return new RoundKeys(attempt, keys, seal);
    }
  }

  /**
   * The participant's update is trained, encoded and masked, and handed to the ring: from here on only the
   * all-reduce can hold it up. Tells a deadline's stragglers from members waiting on them.
   */
  public record Contributed(AttemptId attempt, String nodeId, ControlSignature seal)
      implements CoordinatorCommand, CborSerializable, Sealable<Contributed> {
    /** Unsealed: receivers refuse it until it is sealed. */
    public Contributed(AttemptId attempt, String nodeId) {
      this(attempt, nodeId, null);
    }

    @Override
    public Contributed withSeal(ControlSignature seal) {
      return new Contributed(attempt, nodeId, seal);
    }
  }

  /**
   * The participant decoded the sum and holds the new model as pending; its hash for the coordinator to compare,
   * the sample-weighted mean training loss and total sample count (both parts of the secure sum, so aggregates
   * only), how long this member's aggregation took from its update being ready to the decoded sum, its signature
   * of the result, which the coordinator gathers into the commit certificate, and, in a secure attempt, the other
   * participants' signed attestations that they held the masked sum (it revealed only once it held them all): what
   * lets the coordinator commit without a participant lost after it attested.
   */
  public record Aggregated(AttemptId attempt, String nodeId, String modelHash, double meanLoss, long totalSamples,
                           long aggregationNanos, ResultSignature signature, List<Attestation> attestations,
                           ControlSignature seal)
      implements CoordinatorCommand, CborSerializable, Sealable<Aggregated> {
    public Aggregated {
      attestations = attestations == null ? List.of() : List.copyOf(attestations);
    }

    /** Unsealed: receivers refuse it until it is sealed. */
    public Aggregated(AttemptId attempt, String nodeId, String modelHash, double meanLoss, long totalSamples,
                      long aggregationNanos, ResultSignature signature, List<Attestation> attestations) {
      this(attempt, nodeId, modelHash, meanLoss, totalSamples, aggregationNanos, signature, attestations, null);
    }

    @Override
    public Aggregated withSeal(ControlSignature seal) {
      return new Aggregated(attempt, nodeId, modelHash, meanLoss, totalSamples, aggregationNanos, signature,
          attestations, seal);
    }
  }

  /**
   * The participant cannot go on with the attempt. {@code kind} tells a sum that does not decode (someone summed
   * values that are not a masked update; every member sees the same sum, so the reporter is no more to blame than
   * the others) from this member's own trouble; null from a member that predates it counts as OTHER.
   */
  public record AttemptFailed(AttemptId attempt, String nodeId, String reason, FailureKind kind,
                              ControlSignature seal)
      implements CoordinatorCommand, CborSerializable, Sealable<AttemptFailed> {
    /** Unsealed: receivers refuse it until it is sealed. */
    public AttemptFailed(AttemptId attempt, String nodeId, String reason, FailureKind kind) {
      this(attempt, nodeId, reason, kind, null);
    }

    /** Unsealed, of this member's own trouble ({@link FailureKind#OTHER}). */
    public AttemptFailed(AttemptId attempt, String nodeId, String reason) {
      this(attempt, nodeId, reason, FailureKind.OTHER, null);
    }

    @Override
    public AttemptFailed withSeal(ControlSignature seal) {
      return new AttemptFailed(attempt, nodeId, reason, kind, seal);
    }
  }

  /** Why an attempt failed at a member, for the coordinator's decision (the reason text is for people). */
  public enum FailureKind {
    /** The ring's sum does not decode: garbage from some participant, whom nobody can name. */
    UNDECODABLE_SUM,
    /** Anything else: a refusal, a key that does not verify, local training or encoding failed. */
    OTHER
  }

  /**
   * Commits the attempt's result, which must hash to {@code modelHash}; the member acknowledges to {@code replyTo}.
   * {@code certificate} carries every ring member's signature of the result: a member commits on it, not on the
   * coordinator's word.
   */
  public record CommitRound(AttemptId attempt, String modelHash, CommitProof certificate,
                            ActorRef<CoordinatorCommand> replyTo, ControlSignature seal)
      implements ParticipantCommand, CborSerializable, Sealable<CommitRound> {
    /** Unsealed: receivers refuse it until it is sealed. */
    public CommitRound(AttemptId attempt, String modelHash, CommitProof certificate,
                       ActorRef<CoordinatorCommand> replyTo) {
      this(attempt, modelHash, certificate, replyTo, null);
    }

    @Override
    public CommitRound withSeal(ControlSignature seal) {
      return new CommitRound(attempt, modelHash, certificate, replyTo, seal);
    }
  }

  public record RoundCommitted(AttemptId attempt, String nodeId, String modelHash, ControlSignature seal)
      implements CoordinatorCommand, CborSerializable, Sealable<RoundCommitted> {
    /** Unsealed: receivers refuse it until it is sealed. */
    public RoundCommitted(AttemptId attempt, String nodeId, String modelHash) {
      this(attempt, nodeId, modelHash, null);
    }

    @Override
    public RoundCommitted withSeal(ControlSignature seal) {
      return new RoundCommitted(attempt, nodeId, modelHash, seal);
    }
  }

  /**
   * The member could not make the commit durable (its checkpoint was not written): it does not hold the round and
   * keeps the result pending, so the next survey sends it the commit again. Never acknowledged as committed.
   */
  public record CommitFailed(AttemptId attempt, String nodeId, String reason, ControlSignature seal)
      implements CoordinatorCommand, CborSerializable, Sealable<CommitFailed> {
    /** Unsealed: receivers refuse it until it is sealed. */
    public CommitFailed(AttemptId attempt, String nodeId, String reason) {
      this(attempt, nodeId, reason, null);
    }

    @Override
    public CommitFailed withSeal(ControlSignature seal) {
      return new CommitFailed(attempt, nodeId, reason, seal);
    }
  }

  /**
   * {@code lost} left the cluster after every participant attested that it held the masked sum: the survivors
   * exchange the unmasked segments directly (the lost member's from its ring successor, which holds a copy) and
   * report the result, which the coordinator commits with the lost member's attestation in its place. A member
   * acts on it only after it revealed its own seed (the sum is known to every participant by then), so a coordinator
   * that lies about a loss learns nothing and only makes the survivors send each other what they would get anyway.
   */
  public record RecoverAttempt(AttemptId attempt, List<String> lost, ControlSignature seal)
      implements ParticipantCommand, CborSerializable, Sealable<RecoverAttempt> {
    public RecoverAttempt {
      lost = List.copyOf(lost);
    }

    /** Unsealed: receivers refuse it until it is sealed. */
    public RecoverAttempt(AttemptId attempt, List<String> lost) {
      this(attempt, lost, null);
    }

    @Override
    public RecoverAttempt withSeal(ControlSignature seal) {
      return new RecoverAttempt(attempt, lost, seal);
    }
  }

  public record AbortAttempt(AttemptId attempt, String reason, ControlSignature seal)
      implements ParticipantCommand, CborSerializable, Sealable<AbortAttempt> {
    /** Unsealed: receivers refuse it until it is sealed. */
    public AbortAttempt(AttemptId attempt, String reason) {
      this(attempt, reason, null);
    }

    @Override
    public AbortAttempt withSeal(ControlSignature seal) {
      return new AbortAttempt(attempt, reason, seal);
    }
  }

  /**
   * A message bound to its sender: {@link #seal} is the sender's signature over the message's statement (see
   * {@code org.fedmesh.node.round.ControlStatements}), null until sealed. Receivers act on a message only once its
   * seal verifies and names the sender the message's role requires.
   */
  public interface Sealable<M extends Sealable<M>> {
    ControlSignature seal();

    /** This message with {@code seal}; every other field unchanged. */
    M withSeal(ControlSignature seal);
  }

  /**
   * A control message's seal, in the canonical encoding of {@code org.fedmesh.mpc.ControlSeal} (this module does
   * not read it): the signer's node id and certificate and its signature over the message's statement.
   */
  public record ControlSignature(byte[] encoded) implements CborSerializable {
    @Override
    public boolean equals(Object o) {
      return o instanceof ControlSignature c && Arrays.equals(encoded, c.encoded);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
      return "ControlSignature[" + encoded.length + " bytes]";
    }
  }

  /**
   * Asked at an attempt's deadline when every member reported Contributed and the ring is still stuck: what did
   * your ring endpoint get from your predecessor? Answered with {@link RingLinks}.
   */
  public record ReportRingLinks(AttemptId attempt, ActorRef<CoordinatorCommand> replyTo)
      implements ParticipantCommand, CborSerializable {}

  /**
   * What {@code nodeId} received from its ring predecessor in {@code attempt} ({@code known} false when its endpoint
   * no longer or never held the attempt: then it accuses nobody). Step-0 pieces of the reduce-scatter depend only on
   * the predecessor's own vector, so {@code ownPiecesReceived < ownPiecesExpected} names the predecessor, and so do
   * {@code misfitPieces}: pieces with the link's valid MAC that do not fit the ring's layout. {@code forgedPieces}
   * (bad MAC) may come from anyone and accuse nobody; reported for the log. {@code overflowPieces}: pieces dropped
   * unverified while the endpoint waited for its link keys with its hold full; then missing pieces accuse nobody
   * (an injector may have crowded them out). Sealed by {@code nodeId}: a report accuses a member, so nobody may
   * send one in another's name.
   */
  public record RingLinks(AttemptId attempt, String nodeId, boolean known, int ownPiecesExpected,
                          int ownPiecesReceived, int misfitPieces, String firstMisfit, int forgedPieces,
                          int overflowPieces, ControlSignature seal)
      implements CoordinatorCommand, CborSerializable, Sealable<RingLinks> {
    /** Unsealed: receivers refuse it until it is sealed. */
    public RingLinks(AttemptId attempt, String nodeId, boolean known, int ownPiecesExpected, int ownPiecesReceived,
                     int misfitPieces, String firstMisfit, int forgedPieces, int overflowPieces) {
      this(attempt, nodeId, known, ownPiecesExpected, ownPiecesReceived, misfitPieces, firstMisfit, forgedPieces,
          overflowPieces, null);
    }

    @Override
    public RingLinks withSeal(ControlSignature seal) {
      return new RingLinks(attempt, nodeId, known, ownPiecesExpected, ownPiecesReceived, misfitPieces, firstMisfit,
          forgedPieces, overflowPieces, seal);
    }
  }

  /**
   * One participant's signed attestation that it held an attempt's masked sum, in the canonical encoding of
   * {@code org.fedmesh.mpc.SignedAttestation} (this module does not read it).
   */
  public record Attestation(byte[] encoded) implements CborSerializable {
    @Override
    public boolean equals(Object o) {
      return o instanceof Attestation a && Arrays.equals(encoded, a.encoded);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
      return "Attestation[" + encoded.length + " bytes]";
    }
  }

  /**
   * One participant's signed round result, in the canonical encoding of {@code org.fedmesh.mpc.SignedRoundResult}
   * (this module does not read it; members and the coordinator decode and check it).
   */
  public record ResultSignature(byte[] encoded) implements CborSerializable {
    @Override
    public boolean equals(Object o) {
      return o instanceof ResultSignature r && Arrays.equals(encoded, r.encoded);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
      return "ResultSignature[" + encoded.length + " bytes]";
    }
  }

  /**
   * A commit certificate, in the canonical encoding of {@code org.fedmesh.mpc.CommitCertificate}: the signed results
   * of every participant of the attempt. The form members journal and peers hand to members that catch up.
   */
  public record CommitProof(byte[] encoded) implements CborSerializable {
    @Override
    public boolean equals(Object o) {
      return o instanceof CommitProof c && Arrays.equals(encoded, c.encoded);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
      return "CommitProof[" + encoded.length + " bytes]";
    }
  }
}
