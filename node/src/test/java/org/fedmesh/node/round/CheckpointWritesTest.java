package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.node.checkpoint.CheckpointStore;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint writes run one at a time, in the order asked, and never put an older model over a newer one; the
 * round observer is told how long each durable write took.
 */
class CheckpointWritesTest {

  @Test
  void write_olderRoundAskedAfterANewerOne_isNotWrittenAndTheNewerStaysOnDisk(@TempDir Path dir) throws Exception {
    ActorTestKit kit = ActorTestKit.create();
    try {
      TestProbe<String> outcomes = kit.createTestProbe();
      CheckpointStore store = new CheckpointStore(dir);
      var pool = Executors.newFixedThreadPool(4); // several threads, as Pekko's blocking dispatcher has
      kit.spawn(Behaviors.<ParticipantCommand>setup(context -> {
        RoundObserver observer = new RoundObserver() {
          @Override
          public void checkpointWritten(String nodeId, long round, Duration took) {
            outcomes.ref().tell(nodeId + " timed " + round + (took.isNegative() ? " negative" : ""));
          }
        };
        CheckpointWrites writes = new CheckpointWrites(context, Optional.of(store), pool, "site-a", observer);
        for (long round : new long[] {2, 1, 3}) {
          ModelState state = ModelState.of(round, new float[200_000], new float[0]);
          writes.write(state, CheckpointStore.Source.COMMIT, null, () -> outcomes.ref().tell("wrote " + round),
              reason -> outcomes.ref().tell("not " + round + ": " + reason));
        }
        return Behaviors.receive(ParticipantCommand.class)
            .onMessage(CheckpointWrites.Finished.class, f -> {
              f.then().run();
              return Behaviors.same();
            })
            .build();
      }));
      // The observer hears of each durable write, before what waited for it; a skipped write is not timed.
      assertEquals("site-a timed 2", outcomes.receiveMessage(Duration.ofSeconds(10)));
      assertEquals("wrote 2", outcomes.receiveMessage(Duration.ofSeconds(10)));
      String skipped = outcomes.receiveMessage(Duration.ofSeconds(10));
      assertTrue(skipped.startsWith("not 1: "), skipped);
      assertEquals("site-a timed 3", outcomes.receiveMessage(Duration.ofSeconds(10)));
      assertEquals("wrote 3", outcomes.receiveMessage(Duration.ofSeconds(10)));
      assertEquals(3, store.load().orElseThrow().round());
      pool.shutdown();
    } finally {
      kit.shutdownTestKit();
    }
  }
}
