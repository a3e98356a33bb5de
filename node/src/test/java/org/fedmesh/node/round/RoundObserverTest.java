package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.node.checkpoint.CheckpointStore;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.AbortAttempt;
import org.fedmesh.protocols.RoundProtocol.Aggregated;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real participants (three actor systems over Artery, a probe as the coordinator) tell their listener, in order, how
 * each attempt went: started, abandoned with the coordinator's reason sorted into its kind, started again, result
 * signed, checkpoint written, committed.
 */
class RoundObserverTest {
  private static final int PARAMS = ParticipantProtocolTest.PARAMS;

  /** Each member's events as text, in the order its participant told them. */
  private final Map<String, BlockingQueue<String>> events = Map.of("site-a", new LinkedBlockingQueue<>(),
      "site-b", new LinkedBlockingQueue<>(), "site-c", new LinkedBlockingQueue<>());

  private final CommitListener recording = new CommitListener() {
    @Override
    public void committed(String nodeId, ModelState model, double loss) {
      events.get(nodeId).add("committed " + model.round());
    }

    @Override
    public void attemptStarted(String nodeId, AttemptId attempt, int participants, boolean training) {
      events.get(nodeId).add("started " + attempt + " of " + participants + (training ? " training" : " reusing"));
    }

    @Override
    public void resultSigned(String nodeId, AttemptId attempt, long aggregationNanos) {
      events.get(nodeId).add("signed " + attempt + (aggregationNanos > 0 ? "" : " untimed"));
    }

    @Override
    public void attemptAborted(String nodeId, AttemptId attempt, AbortReason kind, String reason) {
      events.get(nodeId).add("aborted " + attempt + " " + kind.label());
    }

    @Override
    public void checkpointWritten(String nodeId, long round, Duration took) {
      events.get(nodeId).add("checkpoint " + round);
    }
  };

  @Test
  void attempt_abandonedThenRetriedAndCommitted_isToldInOrder(@TempDir Path dir) throws Exception {
    ConsortiumCa ca = TestSignatures.ca("observed");
    List<LocalUpdates> updates = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 3; i++) {
      float[] delta = new float[PARAMS];
      for (int j = 0; j < PARAMS; j++) {
        delta[j] = (float) random.nextGaussian() * 0.01f;
      }
      updates.add(new FixedUpdates(new float[PARAMS], delta, 100 + 10L * i, 0.1));
    }
    try (ParticipantHarness h = new ParticipantHarness(ca, updates,
        i -> Optional.of(new CheckpointStore(dir.resolve("site-" + (char) ('a' + i)))), recording)) {
      AttemptId first = ParticipantHarness.attempt(1, 1);
      ParticipantProtocolTest.startAndCollectKeys(h, first, h.ring());
      // The words AttemptRun uses when a member reports a failure.
      AbortAttempt abort = h.sealed(new AbortAttempt(first, "site-b failed: local training failed: test"));
      h.ring().forEach(p -> p.participant().tell(abort));

      AttemptId second = ParticipantHarness.attempt(1, 2);
      Map<String, Aggregated> results = ParticipantProtocolTest.runSecureRound(h, second, h.ring());
      String hash = results.get("site-a").modelHash();
      CommitRound commit = h.sealed(new CommitRound(second, hash,
          ParticipantProtocolTest.certificateOf(h.ring(), results), h.coordinator.ref()));
      h.ring().forEach(p -> p.participant().tell(commit));

      for (String node : List.of("site-a", "site-b", "site-c")) {
        assertEquals("started " + first + " of 3 training", next(node));
        assertEquals("aborted " + first + " member_failed", next(node));
        String retry = next(node); // reusing, or training still: depends on whether training ended before the abort
        assertTrue(retry.startsWith("started " + second + " of 3 "), retry);
        assertEquals("signed " + second, next(node));
        assertEquals("checkpoint 1", next(node));
        assertEquals("committed 1", next(node));
      }
    }
  }

  private String next(String node) throws InterruptedException {
    String event = events.get(node).poll(30, TimeUnit.SECONDS);
    if (event == null) {
      throw new AssertionError(node + " told nothing more within 30 s");
    }
    return event;
  }
}
