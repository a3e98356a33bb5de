package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The kinds of the reasons AttemptRun gives in its AbortAttempt messages (the texts are AttemptRun's own). */
class AbortReasonTest {

  @Test
  void of_attemptRunsReasons_sortsEachIntoItsKind() {
    assertEquals(AbortReason.DEADLINE, AbortReason.of("missed the deadline"));
    assertEquals(AbortReason.UNDECODABLE_SUM, AbortReason.of("the sum did not decode"));
    assertEquals(AbortReason.MODELS_DIFFER,
        AbortReason.of("participants computed different models: {site-a=0123456789ab, site-b=ba9876543210}"));
    assertEquals(AbortReason.UNUSABLE_SIGNATURE,
        AbortReason.of("the signed result of site-b is unusable: signature does not verify"));
    assertEquals(AbortReason.MEMBER_FAILED, AbortReason.of("site-c failed: local training failed: diverged"));
  }

  @Test
  void of_unknownOrMissingText_isOther() {
    assertEquals(AbortReason.OTHER, AbortReason.of("test"));
    assertEquals(AbortReason.OTHER, AbortReason.of(null));
    assertEquals("undecodable_sum", AbortReason.UNDECODABLE_SUM.label());
  }
}
