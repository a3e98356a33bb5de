package org.fedmesh.node.membership;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.Address;
import org.fedmesh.mpc.pki.IssuedCertificates;
import org.fedmesh.node.membership.PeerCertificates.Seen;

/**
 * The guard's decision, without actors: for each cluster member (oldest first), whether it is certified, not yet
 * verified, or to be downed, and why. A member is certified when the certificate seen at its address names the node
 * id it announces, is current and not revoked, and no older member holds the same node id.
 */
final class MemberCertification {

  /** What a member tells the cluster about itself: its address and the node id of its {@code node-id:} role. */
  record Candidate(Address address, long uid, Optional<String> nodeId) {}

  sealed interface Verdict {
    Candidate member();
  }

  /** Verified: it counts. */
  record Certified(Candidate member, String nodeId) implements Verdict {}

  /** No certificate seen at its address yet: the guard dials it and waits (up to the verify timeout). */
  record Unverified(Candidate member) implements Verdict {}

  /** To be downed, for this reason. */
  record Refused(Candidate member, String reason) implements Verdict {}

  private MemberCertification() {
  }

  /**
   * @param oldestFirst members in the cluster's age order (the older keeps a node id claimed twice)
   * @param tls         whether certificates are checked; without TLS only duplicate node ids are refused
   * @param seen        the certificate verified at an address (for this member itself: its own)
   * @param revoked     whether a serial is on the revocation list
   */
  static List<Verdict> judge(List<Candidate> oldestFirst, boolean tls, Function<Address, Optional<Seen>> seen,
                             Predicate<BigInteger> revoked, Instant now) {
    List<Verdict> verdicts = new ArrayList<>();
    Map<String, Address> holders = new HashMap<>();
    for (Candidate c : oldestFirst) {
      if (c.nodeId().isEmpty()) {
        verdicts.add(tls ? new Refused(c, "it announces no node id (no 'node-id:' cluster role)")
            : new Certified(c, ""));
        continue;
      }
      String nodeId = c.nodeId().get();
      Address holder = holders.putIfAbsent(nodeId, c.address());
      if (holder != null) {
        verdicts.add(new Refused(c, "node id '" + nodeId + "' is already held by the older member " + holder));
      } else if (!tls) {
        verdicts.add(new Certified(c, nodeId));
      } else {
        verdicts.add(seen.apply(c.address()).map(s -> check(c, nodeId, s, revoked, now))
            .orElse(new Unverified(c)));
      }
    }
    return verdicts;
  }

  private static Verdict check(Candidate c, String nodeId, Seen seen, Predicate<BigInteger> revoked, Instant now) {
    String serial = IssuedCertificates.serialHex(seen.serial());
    if (!seen.nodeId().equals(nodeId)) {
      return new Refused(c, "it announces node id '" + nodeId + "' but the certificate at its address is for '"
          + seen.nodeId() + "' (serial " + serial + ")");
    }
    String certificate = "its certificate (serial " + serial + ")";
    if (revoked.test(seen.serial())) {
      return new Refused(c, certificate + " was revoked by the consortium CA");
    }
    if (seen.notAfter().isBefore(now)) {
      return new Refused(c, certificate + " expired at " + seen.notAfter());
    }
    return new Certified(c, nodeId);
  }
}
