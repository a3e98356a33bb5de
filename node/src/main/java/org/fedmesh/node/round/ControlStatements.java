package org.fedmesh.node.round;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.fedmesh.mpc.CanonicalBytes;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.RoundProtocol.AbortAttempt;
import org.fedmesh.protocols.RoundProtocol.RecoverAttempt;
import org.fedmesh.protocols.RoundProtocol.Aggregated;
import org.fedmesh.protocols.RoundProtocol.AttemptFailed;
import org.fedmesh.protocols.RoundProtocol.CommitFailed;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.fedmesh.protocols.RoundProtocol.Contributed;
import org.fedmesh.protocols.RoundProtocol.KeyAdvert;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.Ready;
import org.fedmesh.protocols.RoundProtocol.RingLinks;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.RoundCommitted;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.Sealable;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/**
 * What a {@link org.fedmesh.mpc.ControlSeal} signs for each control message: a tag naming the message type, then
 * every field except the seal, in canonical bytes. The attempt goes in with its random nonce, so a seal never fits
 * another attempt; actor refs go in by their full address (the same string on the sender and on every receiver),
 * so a relayed copy cannot redirect replies or the ring.
 */
final class ControlStatements {
  private static final String TAG = "fedmesh-control-v1/";

  private final ActorRefResolver refs;

  ControlStatements(ActorRefResolver refs) {
    this.refs = refs;
  }

  byte[] of(Sealable<?> message) {
    CanonicalBytes out = new CanonicalBytes().putString(TAG + message.getClass().getSimpleName());
    if (message instanceof StartRound m) {
      attempt(out, m.attempt()).putInt(m.ring().size());
      for (RingMember member : m.ring()) {
        out.putString(member.nodeId()).putString(ref(member.participant())).putString(ref(member.ring()));
      }
      out.putString(m.baseModelHash()).putBoolean(m.secure());
      Map<String, String> shared = new TreeMap<>(m.sharedSettings());
      out.putInt(shared.size());
      shared.forEach((k, v) -> out.putString(k).putString(v));
      out.putString(ref(m.coordinator()));
    } else if (message instanceof RoundKeys m) {
      keys(attempt(out, m.attempt()), m.keys());
    } else if (message instanceof AbortAttempt m) {
      text(attempt(out, m.attempt()), m.reason());
    } else if (message instanceof RecoverAttempt m) {
      attempt(out, m.attempt()).putInt(m.lost().size());
      m.lost().forEach(out::putString);
    } else if (message instanceof CommitRound m) {
      text(attempt(out, m.attempt()), m.modelHash());
      bytes(out, m.certificate() == null ? null : m.certificate().encoded()).putString(ref(m.replyTo()));
    } else if (message instanceof CatchUp m) {
      text(out.putLong(m.round()), m.hash()).putInt(m.sources().size());
      m.sources().forEach(s -> out.putString(ref(s)));
      bytes(out.putString(ref(m.replyTo())), m.certificate() == null ? null : m.certificate().encoded());
    } else if (message instanceof Ready m) {
      text(attempt(out, m.attempt()), m.nodeId());
      keys(out, m.key() == null ? List.of() : List.of(m.key()));
    } else if (message instanceof Contributed m) {
      text(attempt(out, m.attempt()), m.nodeId());
    } else if (message instanceof Aggregated m) {
      text(text(attempt(out, m.attempt()), m.nodeId()), m.modelHash())
          .putLong(Double.doubleToLongBits(m.meanLoss())).putLong(m.totalSamples()).putLong(m.aggregationNanos());
      bytes(out, m.signature() == null ? null : m.signature().encoded());
      out.putInt(m.attestations().size());
      m.attestations().forEach(a -> bytes(out, a.encoded()));
    } else if (message instanceof AttemptFailed m) {
      text(text(text(attempt(out, m.attempt()), m.nodeId()), m.reason()), m.kind() == null ? null : m.kind().name());
    } else if (message instanceof MemberStatus m) {
      RingMember who = m.member();
      out.putString(who.nodeId()).putString(ref(who.participant())).putString(ref(who.ring()));
      bytes(text(out.putLong(m.committedRound()), m.committedHash()),
          m.committedCertificate() == null ? null : m.committedCertificate().encoded());
      text(optional(out, m.pendingAttempt()), m.pendingHash());
      bytes(out, m.pendingSignature() == null ? null : m.pendingSignature().encoded());
      optional(optional(out, m.revealedAttempt()), m.takenAttempt()).putInt(m.pendingAttestations().size());
      m.pendingAttestations().forEach(a -> out.putBytes(a.encoded()));
      out.putInt(m.revealedRing().size());
      m.revealedRing().forEach(out::putString);
      out.putString(ref(m.askedBy()));
    } else if (message instanceof RingLinks m) {
      text(text(attempt(out, m.attempt()), m.nodeId()).putBoolean(m.known()).putInt(m.ownPiecesExpected())
          .putInt(m.ownPiecesReceived()).putInt(m.misfitPieces()), m.firstMisfit()).putInt(m.forgedPieces())
          .putInt(m.overflowPieces());
    } else if (message instanceof RoundCommitted m) {
      text(text(attempt(out, m.attempt()), m.nodeId()), m.modelHash());
    } else if (message instanceof CommitFailed m) {
      text(text(attempt(out, m.attempt()), m.nodeId()), m.reason());
    } else {
      throw new IllegalArgumentException("no statement for " + message.getClass().getName());
    }
    return out.toByteArray();
  }

  private static CanonicalBytes attempt(CanonicalBytes out, AttemptId id) {
    return out.putLong(id.round()).putInt(id.attempt()).putBytes(id.nonce());
  }

  private static CanonicalBytes optional(CanonicalBytes out, AttemptId id) {
    return id == null ? out.putBoolean(false) : attempt(out.putBoolean(true), id);
  }

  private static CanonicalBytes keys(CanonicalBytes out, List<KeyAdvert> keys) {
    out.putInt(keys.size());
    for (KeyAdvert k : keys) {
      text(out, k.nodeId());
      bytes(bytes(bytes(out, k.publicKey()), k.signature()), k.certificate());
    }
    return out;
  }

  /** Null and empty must differ: a presence flag, then the value. */
  private static CanonicalBytes text(CanonicalBytes out, String value) {
    return value == null ? out.putBoolean(false) : out.putBoolean(true).putString(value);
  }

  private static CanonicalBytes bytes(CanonicalBytes out, byte[] value) {
    return value == null ? out.putBoolean(false) : out.putBoolean(true).putBytes(value);
  }

  private String ref(ActorRef<?> ref) {
    return ref == null ? "" : refs.toSerializationFormat(ref);
  }
}
