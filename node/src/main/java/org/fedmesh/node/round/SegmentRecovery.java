package org.fedmesh.node.round;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.node.secure.SelfMaskExchange;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.RingMember;

/**
 * A session's part in completing an attempt without participants lost after every one attested (the coordinator's
 * RecoverAttempt): which survivors to send segments to, this member's own segment and, when its ring successor is
 * lost, the copy it kept of that one's segment, unmasked. It sends once, and only after this member revealed its
 * own seed: by then the sum is every participant's to know, so a coordinator that lies about a loss gains nothing.
 */
final class SegmentRecovery {
  private final AttemptId attempt;
  private final List<RingMember> ring;
  private final int myIndex;
  private final String me;
  private final SelfMaskTraffic traffic;
  private final Executor crypto;
  private boolean sent;

  SegmentRecovery(AttemptId attempt, List<RingMember> ring, int myIndex, SelfMaskTraffic traffic, Executor crypto) {
    this.attempt = attempt;
    this.ring = List.copyOf(ring);
    this.myIndex = myIndex;
    this.me = ring.get(myIndex).nodeId();
    this.traffic = traffic;
    this.crypto = crypto;
  }

  /** Whether this member may and still must send: a secure attempt, its seed revealed, nothing sent yet. */
  boolean due() {
    return !notRevealed() && !sent;
  }

  /** Whether this member has not revealed its seed, so must not take part (an attestation is missing). */
  boolean notRevealed() {
    return traffic.exchange() == null || !traffic.exchange().hasRevealed();
  }

  /** The other participants but {@code lost}. */
  List<String> survivors(List<String> lost) {
    return ring.stream().map(RingMember::nodeId).filter(id -> !lost.contains(id) && !id.equals(me)).toList();
  }

  /** Sends this member's unmasked segment, from word {@code start}, to every survivor (and keeps it). */
  void sendOwn(List<String> lost, int start, long[] segment) {
    sent = true;
    traffic.send(traffic.exchange().unmaskedSegment(survivors(lost), start, segment));
  }

  /**
   * When this member's successor is among {@code lost}: the copy of its segment this member kept, every self-mask
   * removed (every seed is known once this member unmasked its own segment); empty otherwise.
   */
  Optional<CompletableFuture<long[]>> successorsSegment(List<String> lost) {
    if (!lost.contains(ring.get(Math.floorMod(myIndex + 1, ring.size())).nodeId())) {
      return Optional.empty();
    }
    SelfMaskExchange exchange = traffic.exchange();
    SegmentUnmasking copy = new SegmentUnmasking(exchange.backupStart(), exchange.backupValues(), crypto);
    copy.remove(exchange.seedsKnown());
    return Optional.of(copy.done());
  }

  /** Sends the lost successor's unmasked segment to every survivor (and keeps it). */
  void sendSuccessors(List<String> lost, long[] values) {
    traffic.send(traffic.exchange().unmaskedSegment(survivors(lost), traffic.exchange().backupStart(), values));
  }

  /**
   * This member has the whole unmasked sum already (the ring finished here before the loss): it sends the survivors
   * its segment, and its lost successor's, from that sum.
   */
  void sendFromWhole(List<String> lost, long[] sum) {
    if (!due()) {
      return;
    }
    sent = true;
    int n = ring.size();
    boolean successorLost = lost.contains(ring.get(Math.floorMod(myIndex + 1, n)).nodeId());
    for (int index : successorLost ? new int[] {myIndex, myIndex + 1} : new int[] {myIndex}) {
      int[] range = RingAllReduce.summedSegment(n, sum.length, Math.floorMod(index, n));
      traffic.send(traffic.exchange().unmaskedSegment(survivors(lost), range[0],
          Arrays.copyOfRange(sum, range[0], range[1])));
    }
  }
}
