package org.fedmesh.node.round;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.fedmesh.protocols.RoundProtocol.RingLinks;

/**
 * Who held a stuck ring up, from what each member says its predecessor sent it; pure, so every rule has a table
 * test. At reduce-scatter step 0 a member sends pieces of its own segment, which depend only on its own vector:
 * if its successor lacks any of them at the deadline, or got from it a piece with the link's valid MAC that does not
 * fit the layout, it is the culprit whatever the others did. Pieces of later steps may be missing only because
 * someone upstream is silent, so they accuse nobody, and neither do pieces with a bad MAC (anyone can send those),
 * nor missing pieces at a successor whose hold overflowed before its keys came (injected pieces may have crowded
 * the genuine ones out).
 *
 * <p>The successor's word is taken as it is: a lying successor can get one honest predecessor left out. That costs
 * availability only (the accused sits out rounds, with the straggler backoff) and the log names both members.
 */
final class RingAccusations {
  private RingAccusations() {}

  /** {@code accused} held the ring up, as {@code reporter}, its successor, reports; {@code what} names both. */
  record Accusation(String accused, String reporter, String what) {
    String describe() {
      return accused + " " + what;
    }
  }

  /** The accusations the reports in {@code reports} (by node id) support, for a ring in the order {@code ring}. */
  static List<Accusation> from(List<String> ring, Map<String, RingLinks> reports) {
    List<Accusation> accusations = new ArrayList<>();
    int n = ring.size();
    for (int i = 0; i < n && n > 1; i++) {
      String reporter = ring.get(i);
      String predecessor = ring.get(Math.floorMod(i - 1, n));
      RingLinks links = reports.get(reporter);
      if (links == null || !links.known()) {
        continue;
      }
      if (links.misfitPieces() > 0) {
        accusations.add(new Accusation(predecessor, reporter, "sent its successor " + reporter + " "
            + links.misfitPieces() + " piece(s) with a valid MAC that do not fit the ring's layout (first: "
            + links.firstMisfit() + ")"));
      } else if (links.overflowPieces() > 0) {
        continue;
      } else if (links.ownPiecesReceived() == 0 && links.ownPiecesExpected() > 0) {
        accusations.add(new Accusation(predecessor, reporter, "sent none of its own pieces to its successor "
            + reporter));
      } else if (links.ownPiecesReceived() < links.ownPiecesExpected()) {
        accusations.add(new Accusation(predecessor, reporter, "sent only " + links.ownPiecesReceived() + " of its "
            + links.ownPiecesExpected() + " own pieces to its successor " + reporter));
      }
    }
    return accusations;
  }

  static Set<String> accused(List<Accusation> accusations) {
    Set<String> out = new TreeSet<>();
    accusations.forEach(a -> out.add(a.accused()));
    return out;
  }
}
