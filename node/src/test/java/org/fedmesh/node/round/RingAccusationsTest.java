package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.RingLinks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who is named at a stuck ring's deadline, from the successors' link reports: ring a → b → c → d → a. */
class RingAccusationsTest {
  private static final AttemptId ATTEMPT = AttemptId.fresh(4, 1, new SecureRandom());
  private static final List<String> RING = List.of("a", "b", "c", "d");

  private static RingLinks complete(String node) {
    return new RingLinks(ATTEMPT, node, true, 3, 3, 0, null, 0, 0);
  }

  private static RingLinks received(String node, int own) {
    return new RingLinks(ATTEMPT, node, true, 3, own, 0, null, 0, 0);
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // what changes from "everyone got all of its predecessor's own pieces", who is named
        Arguments.of("all complete", Map.of(), Set.of()),
        Arguments.of("c got none of b's", Map.of("c", received("c", 0)), Set.of("b")),
        Arguments.of("c got some of b's", Map.of("c", received("c", 2)), Set.of("b")),
        Arguments.of("misfit with a valid MAC", Map.of("a", new RingLinks(ATTEMPT, "a", true, 3, 3, 1,
            "offset 7 is not a piece", 0, 0)), Set.of("d")),
        Arguments.of("forged pieces accuse nobody", Map.of("b", new RingLinks(ATTEMPT, "b", true, 3, 3, 0, null,
            40, 0)), Set.of()),
        Arguments.of("pieces missing after the hold overflowed accuse nobody", Map.of("c", new RingLinks(ATTEMPT,
            "c", true, 3, 1, 0, null, 0, 24)), Set.of()),
        Arguments.of("a misfit accuses even after an overflow", Map.of("c", new RingLinks(ATTEMPT, "c", true, 3, 1,
            1, "step 2 does not match", 0, 24)), Set.of("b")),
        Arguments.of("an endpoint without the attempt accuses nobody", Map.of("b", new RingLinks(ATTEMPT, "b",
            false, 0, 0, 0, null, 0, 0)), Set.of()),
        Arguments.of("a member that does not answer accuses nobody", Map.of("b", "no answer"), Set.of()),
        Arguments.of("two silent members", Map.of("b", received("b", 0), "d", received("d", 0)),
            Set.of("a", "c")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void from_reports_nameOnlyPredecessorsProvenToMisbehave(String name, Map<String, Object> changes,
                                                          Set<String> accused) {
    Map<String, RingLinks> reports = new HashMap<>();
    RING.forEach(node -> reports.put(node, complete(node)));
    changes.forEach((node, change) -> {
      if (change instanceof RingLinks links) {
        reports.put(node, links);
      } else {
        reports.remove(node);
      }
    });
    assertEquals(accused, RingAccusations.accused(RingAccusations.from(RING, reports)));
  }

  @Test
  void describe_namesTheAccusedAndItsSuccessor() {
    List<RingAccusations.Accusation> accusations = RingAccusations.from(RING, Map.of("c", received("c", 0)));
    assertEquals("b sent none of its own pieces to its successor c",
        accusations.get(0).describe());
  }
}
