package org.fedmesh.node.round;

import java.util.ArrayList;
import java.util.List;
import org.fedmesh.node.secure.SelfMaskExchange;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.SelfMaskProtocol.PeerMessage;
import org.slf4j.Logger;

/**
 * An attempt session's double-masking traffic: peers' messages held until this member's keys verify (a bounded
 * number: two per peer and kind), opened by its {@link SelfMaskExchange} after; refusals logged up to a bound, so a
 * peer that floods forged messages fills no log; this member's messages delivered to the peers' participants; and
 * the exchange's steps taken as soon as they are allowed ({@link #advance}).
 */
final class SelfMaskTraffic {
  /** Refused peer messages logged per attempt; beyond it they are only dropped. */
  private static final int REFUSALS_LOGGED = 5;

  private final AttemptId attempt;
  private final List<RingMember> ring;
  private final Logger log;
  private final List<PeerMessage> early = new ArrayList<>();
  private final Runnable sumMayBeKnown;
  private SelfMaskExchange exchange;
  private int refusals;
  private boolean sumMayBeKnownTold;

  /** {@code sumMayBeKnown}: run once, when this attempt's sum may become known (see {@link #advance}). */
  SelfMaskTraffic(AttemptId attempt, List<RingMember> ring, Logger log, Runnable sumMayBeKnown) {
    this.attempt = attempt;
    this.ring = List.copyOf(ring);
    this.log = log;
    this.sumMayBeKnown = sumMayBeKnown;
  }

  /**
   * Attests once the exchange may, reveals once it may, and says once that the sum may be known — by this
   * member's reveal or a peer's, whichever comes first: a member can unmask with a seed rebuilt from shares before
   * a late attestation lets it reveal its own. Safe to call at any time.
   */
  void advance() {
    if (exchange == null) {
      return;
    }
    if (exchange.mayAttest()) {
      send(exchange.attestations());
    }
    if (exchange.mayReveal()) {
      send(exchange.reveals());
    }
    exchange.drainFindings().forEach(finding -> log.warn("{}: {}", attempt, finding));
    if (!sumMayBeKnownTold && exchange.sumMayBeKnown()) {
      sumMayBeKnownTold = true;
      sumMayBeKnown.run();
    }
  }

  /** The keys verified: sends this member's seed shares and takes what peers sent before. */
  void begin(SelfMaskExchange verified) {
    exchange = verified;
    send(exchange.seedShares());
    early.forEach(this::take);
    early.clear();
  }

  /** Null until the keys verified, and in a plain attempt or a ring of one. */
  SelfMaskExchange exchange() {
    return exchange;
  }

  void take(PeerMessage message) {
    if (exchange == null) {
      if (early.size() < 6 * ring.size()) {
        early.add(message);
      }
      return;
    }
    exchange.receive(message).ifPresent(reason -> {
      if (++refusals <= REFUSALS_LOGGED) {
        log.warn("{}: refused a message from a peer: {}", attempt, reason);
      }
    });
  }

  void send(List<SelfMaskExchange.Outgoing> messages) {
    for (SelfMaskExchange.Outgoing out : messages) {
      ring.stream().filter(m -> m.nodeId().equals(out.to())).findFirst()
          .ifPresent(m -> m.participant().tell(out.message()));
    }
  }
}
