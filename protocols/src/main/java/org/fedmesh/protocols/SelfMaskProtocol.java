package org.fedmesh.protocols;

import java.util.Arrays;
import java.util.Objects;

/**
 * Double masking (Bonawitz et al., CCS 2017) adapted to the ring: what the participants of a secure attempt tell
 * each other, directly, so that a failed attempt's sum stays secret without anyone trusting the coordinator.
 *
 * <p>Each participant adds a self-mask from a fresh seed to its vector besides the pairwise masks, so the summed
 * vector every member ends up with is still masked. When its keys verify it sends every peer one Shamir share of
 * its seed ({@link Kind#SEED_SHARE}); once it holds the masked sum and every peer's share it tells every peer so
 * ({@link Kind#SUM_HELD}, the attestation); and only once it holds every peer's attestation does it send its seed
 * and its shares of the others' seeds ({@link Kind#REVEAL}). An attempt whose masked sum did not form at every
 * participant therefore reveals nothing, and its retry may reuse the trained updates.
 *
 * <table>
 *   <caption>Who may send what, and what stops a forged, replayed or stale one</caption>
 *   <tr><th>Message</th><th>Sender</th><th>Forged</th><th>Replayed or stale</th></tr>
 *   <tr><td>PeerMessage (every kind)</td><td>a participant of the attempt, to another one</td><td>opens only under
 *       the X25519 secret of that pair in that attempt (both ends' keys signed by the CA): a forger, the coordinator
 *       or another participant cannot make one that opens, and learns nothing of its content</td><td>bound to the
 *       attempt's nonce, pair, direction and kind: it opens in no other attempt; within its attempt a second copy
 *       changes nothing</td></tr>
 * </table>
 */
public final class SelfMaskProtocol {
  private SelfMaskProtocol() {}

  /** What a peer message carries. */
  public enum Kind {
    /** A Shamir share of the sender's self-mask seed, for the receiver to keep. */
    SEED_SHARE,
    /** The sender holds the attempt's masked sum and every participant's seed share. */
    SUM_HELD,
    /** The sender's self-mask seed and its shares of the other participants' seeds. */
    REVEAL,
    /**
     * Part of an unmasked segment, sent directly to a peer only when the coordinator says a participant was lost
     * after everyone attested (RecoverAttempt): the sender's own segment, or the lost successor's it backs up.
     */
    SEGMENT
  }

  /** One participant's message to another in attempt {@code attempt}: a {@code PeerEnvelope} under their pair key. */
  public record PeerMessage(AttemptId attempt, String from, Kind kind, byte[] iv, byte[] ciphertext)
      implements RoundProtocol.ParticipantCommand, CborSerializable {
    public PeerMessage {
      Objects.requireNonNull(attempt, "attempt");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(kind, "kind");
      iv = iv.clone();
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] iv() {
      return iv.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PeerMessage m && attempt.equals(m.attempt) && from.equals(m.from) && kind == m.kind
          && Arrays.equals(iv, m.iv) && Arrays.equals(ciphertext, m.ciphertext);
    }

    @Override
    public int hashCode() {
      return Objects.hash(attempt, from, kind, Arrays.hashCode(iv));
    }

    @Override
    public String toString() {
      return "PeerMessage[" + attempt + ", " + kind + " from " + from + "]";
    }
  }
}
