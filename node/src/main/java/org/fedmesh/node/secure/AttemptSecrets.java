package org.fedmesh.node.secure;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fedmesh.mpc.EphemeralKeyPair;
import org.fedmesh.mpc.KeyVerificationException;
import org.fedmesh.mpc.MaskPrg;
import org.fedmesh.mpc.PairwiseMasks;
import org.fedmesh.mpc.RingMacKeys;
import org.fedmesh.mpc.SeedShares;
import org.fedmesh.mpc.SelfMaskReveal;
import org.fedmesh.mpc.SignedAttestation;
import org.fedmesh.mpc.SignedEphemeralKey;
import org.fedmesh.mpc.SumHeld;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.KeyAdvert;

/**
 * This member's secrets for one round attempt: an ephemeral X25519 key pair and a self-mask seed, both made fresh
 * for the attempt and dropped with it, and the peers' keys once every one of them has been verified against the
 * consortium CA.
 */
public final class AttemptSecrets {
  private final MemberIdentity identity;
  private final AttemptId attempt;
  private final EphemeralKeyPair keyPair;
  private final KeyAdvert advert;
  /** Double masking: this member's vector carries this seed's keystream too, removed only once all attest. */
  private final byte[] selfSeed;
  /** The seed's Shamir shares, one per participant in ring order, committed to in the signed key. */
  private final List<SeedShares.Share> ownShares;
  /** Each verified peer's commitments to its self-mask seed and its shares, from its signed key. */
  private final Map<String, byte[]> commitments = new HashMap<>();

  private AttemptSecrets(MemberIdentity identity, AttemptId attempt, EphemeralKeyPair keyPair, byte[] selfSeed,
                         List<SeedShares.Share> ownShares) {
    this.identity = identity;
    this.attempt = attempt;
    this.keyPair = keyPair;
    this.selfSeed = selfSeed;
    this.ownShares = List.copyOf(ownShares);
    SignedEphemeralKey signed = SignedEphemeralKey.sign(identity, attempt.round(), attempt.attempt(),
        attempt.nonce(), keyPair.publicKey(), SelfMaskReveal.dealing(identity.nodeId(), attempt.round(),
            attempt.attempt(), attempt.nonce(), selfSeed, ownShares));
    this.advert = new KeyAdvert(signed.nodeId(), signed.publicKey(), signed.seedCommitment(), signed.signature(),
        signed.certificateDer());
  }

  /** Fresh secrets for an attempt of {@code participants} members, its seed shared out among them. */
  public static AttemptSecrets create(MemberIdentity identity, AttemptId attempt, int participants,
                                      SecureRandom random) {
    byte[] selfSeed = new byte[SeedShares.SEED_BYTES];
    random.nextBytes(selfSeed);
    List<SeedShares.Share> shares = participants < 2 ? List.of()
        : SeedShares.split(selfSeed, participants, SeedShares.threshold(participants), random);
    return new AttemptSecrets(identity, attempt, EphemeralKeyPair.generate(random), selfSeed, shares);
  }

  /** Share i of this member's seed, for the participant at ring index i. */
  List<SeedShares.Share> ownShares() {
    return ownShares;
  }

  public String nodeId() {
    return identity.nodeId();
  }

  public AttemptId attempt() {
    return attempt;
  }

  /** The X25519 secret this member shares with the peer whose verified key is {@code peerKey}. */
  byte[] sharedSecret(byte[] peerKey) {
    return keyPair.agree(peerKey);
  }

  byte[] selfSeed() {
    return selfSeed.clone();
  }

  /** What {@code owner}'s seed must hash to in this attempt ({@link SelfMaskReveal#commitment}). */
  byte[] commitmentOf(String owner, byte[] seed) {
    return SelfMaskReveal.commitment(owner, attempt.round(), attempt.attempt(), attempt.nonce(), seed);
  }

  /**
   * Whether {@code seed} is the one {@code owner} committed to in its verified key; false for a member whose key
   * this member has not verified.
   */
  boolean isCommittedSeed(String owner, byte[] seed) {
    return matches(owner, 0, commitmentOf(owner, seed));
  }

  /**
   * Whether {@code share} is the share of {@code owner}'s seed with its index that {@code owner} committed to in its
   * verified key; false for a member whose key this member has not verified.
   */
  boolean isCommittedShare(String owner, SeedShares.Share share) {
    return matches(owner, share.index(), SelfMaskReveal.shareCommitment(owner, attempt.round(), attempt.attempt(),
        attempt.nonce(), share));
  }

  /** Whether commitment {@code slot} (0: the seed, i: share i) of {@code owner}'s signed key is {@code expected}. */
  private boolean matches(String owner, int slot, byte[] expected) {
    byte[] all = owner.equals(identity.nodeId()) ? advert.seedCommitment() : commitments.get(owner);
    int each = SelfMaskReveal.COMMITMENT_BYTES;
    if (all == null || all.length < each * (slot + 1)) {
      return false;
    }
    return MessageDigest.isEqual(Arrays.copyOfRange(all, each * slot, each * (slot + 1)), expected);
  }

  /** This member's signed attestation that it holds the masked sum of this attempt, {@code statement}. */
  SignedAttestation attest(SumHeld statement) {
    return SignedAttestation.sign(identity, statement);
  }

  /** This member's signed public key, to publish. */
  public KeyAdvert advert() {
    return advert;
  }

  /**
   * Checks that {@code keys} holds exactly one key per ring member, each signed for this attempt by that member's
   * certified identity, and that this member's own key came back unchanged; returns the peers' public keys.
   *
   * @throws KeyVerificationException naming the first member whose key is missing, duplicated or does not verify
   */
  public Map<String, byte[]> verifyPeers(List<KeyAdvert> keys, List<String> ring, Instant now)
      throws KeyVerificationException {
    Map<String, KeyAdvert> byNode = new HashMap<>();
    for (KeyAdvert key : keys) {
      if (!ring.contains(key.nodeId())) {
        throw new KeyVerificationException(key.nodeId(), "it is not a participant of " + attempt);
      }
      if (byNode.put(key.nodeId(), key) != null) {
        throw new KeyVerificationException(key.nodeId(), "two keys were relayed for it");
      }
    }
    Map<String, byte[]> peers = new HashMap<>();
    for (String member : ring) {
      KeyAdvert key = byNode.get(member);
      if (key == null) {
        throw new KeyVerificationException(member, "no key was relayed for it");
      }
      if (member.equals(identity.nodeId())) {
        if (!key.equals(advert)) {
          throw new KeyVerificationException(member, "this node's own key was altered in transit");
        }
        continue;
      }
      new SignedEphemeralKey(key.nodeId(), attempt.round(), attempt.attempt(), attempt.nonce(), key.publicKey(),
          key.seedCommitment(), key.signature(), key.certificate())
          .verify(identity.caCertificate(), member, attempt.round(), attempt.attempt(), attempt.nonce(), now);
      if (key.seedCommitment().length != SelfMaskReveal.COMMITMENT_BYTES * (1 + ring.size())) {
        throw new KeyVerificationException(member, "its key commits to " + (key.seedCommitment().length
            / SelfMaskReveal.COMMITMENT_BYTES - 1) + " seed shares, not one per participant (" + ring.size() + ")");
      }
      peers.put(member, key.publicKey());
      commitments.put(member, key.seedCommitment());
    }
    return peers;
  }

  /**
   * The keys of this member's two ring links in this attempt, from the verified {@code peerKeys}: {@code send}
   * authenticates its pieces to {@code successor}, {@code receive} those from {@code predecessor}; {@code keepSend}
   * what it sends back to {@code predecessor}, {@code keepReceive} what {@code successor} sends back. Each comes
   * from the pair's X25519 secret under its own label and direction, never the mask seed itself. (In a ring of two
   * the pieces sent back share a direction's key with the forward ones; their phase in the nonce keeps them apart.)
   */
  public LinkKeys linkKeys(String predecessor, String successor, Map<String, byte[]> peerKeys) {
    String me = identity.nodeId();
    byte[] toSuccessor = keyPair.agree(peerKeys.get(successor));
    byte[] toPredecessor = keyPair.agree(peerKeys.get(predecessor));
    return new LinkKeys(link(toSuccessor, me, successor), link(toPredecessor, predecessor, me),
        link(toPredecessor, me, predecessor), link(toSuccessor, successor, me));
  }

  private byte[] link(byte[] pairSecret, String from, String to) {
    return RingMacKeys.derive(pairSecret, attempt.round(), attempt.attempt(), attempt.nonce(), from, to);
  }

  /** The MAC keys of a member's outgoing and incoming ring link, and of the pieces sent back along each. */
  public record LinkKeys(byte[] send, byte[] receive, byte[] keepSend, byte[] keepReceive) {
    @Override
    public String toString() {
      return "LinkKeys[…]";
    }
  }

  /**
   * This member's masks for {@code length} words — its share of the zero-sum pairwise masks with every peer, and its
   * self-mask — in a vector of their own: made while the model still trains, then added to the encoded update.
   */
  public long[] masks(int length, Map<String, byte[]> peerKeys) {
    long[] masks = new long[length];
    addMasks(masks, peerKeys);
    return masks;
  }

  /** Adds the masks straight into {@code encoded}: one pass less, when the update is ready before the keys. */
  public void addMasks(long[] encoded, Map<String, byte[]> peerKeys) {
    PairwiseMasks.apply(encoded, identity.nodeId(), keyPair, peerKeys, attempt.round(), attempt.attempt(),
        attempt.nonce());
    if (!peerKeys.isEmpty()) { // alone in its ring, a member has nobody to hide from and no one to unmask with
      MaskPrg.add(encoded, selfSeed, false);
    }
  }
}
