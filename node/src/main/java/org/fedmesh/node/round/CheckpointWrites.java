package org.fedmesh.node.round;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.fedmesh.node.checkpoint.CheckpointStore;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;

/**
 * The participant's checkpoint writes, off its thread (on the blocking dispatcher): what waits for a write runs
 * back on the actor's thread once the model is durable, so a model is adopted and acknowledged only then.
 *
 * <p>One write at a time, in the order asked: a commit and a catch-up can overlap, and two writes at once would
 * share the store's temporary file, or finish in the other order and leave the older model on disk. A model older
 * than the one on disk is not written at all (decided when its turn comes, so a failed write blocks nothing).
 */
final class CheckpointWrites {
  /**
   * A write ended, on the actor's thread: {@code then} runs now, what waited for a durable model or, when the write
   * failed (logged already), what tells whoever waited.
   */
  record Finished(Runnable then) implements ParticipantCommand {}

  private final ActorContext<ParticipantCommand> context;
  private final Optional<CheckpointStore> store;
  private final Executor blocking;
  private final String nodeId;
  /** Told each write's duration, on the actor's thread, before what waited for the write runs. */
  private final RoundObserver observer;
  /** The write asked for last; the next one starts after it. */
  private CompletableFuture<?> last = CompletableFuture.completedFuture(null);
  /** The round on disk; read and written only by the writes, which run one after another. */
  private volatile long durableRound = Long.MIN_VALUE;

  /** A write skipped because the store holds a later model. */
  private static final class Superseded extends RuntimeException {
    Superseded(long durable, long asked) {
      super("it holds the model of round " + durable + " already, later than round " + asked, null, false, false);
    }
  }

  CheckpointWrites(ActorContext<ParticipantCommand> context, Optional<CheckpointStore> store, Executor blocking,
                   String nodeId, RoundObserver observer) {
    this.context = context;
    this.store = store;
    this.blocking = blocking;
    this.nodeId = nodeId;
    this.observer = observer;
  }

  /**
   * Writes {@code state} and journals it with {@code certificate}, its proof; then {@code then}, or {@code otherwise}
   * with the reason. Without a store, at once.
   */
  void write(ModelState state, CheckpointStore.Source source, CommitProof certificate, Runnable then,
             Consumer<String> otherwise) {
    if (store.isEmpty()) {
      context.getSelf().tell(new Finished(then)); // through the mailbox, like a finished write
      return;
    }
    CheckpointStore s = store.get();
    CompletableFuture<Duration> written = last.handle((previous, error) -> state).thenApplyAsync(m -> {
      if (m.round() < durableRound) {
        throw new Superseded(durableRound, m.round());
      }
      long started = System.nanoTime();
      try {
        s.save(m, source, certificate == null ? null : certificate.encoded());
      } catch (IOException e) {
        throw new CompletionException(e);
      }
      durableRound = m.round();
      return Duration.ofNanos(System.nanoTime() - started);
    }, blocking);
    last = written;
    context.pipeToSelf(written, (took, failure) -> {
      if (failure == null) {
        return new Finished(() -> {
          observer.checkpointWritten(nodeId, state.round(), took);
          then.run();
        });
      }
      Throwable error = AsyncWork.cause(failure);
      if (error instanceof Superseded superseded) {
        return new Finished(() -> otherwise.accept(superseded.getMessage()));
      }
      context.getLog().error("Could not write the checkpoint of round {} to {}; the round is not held here "
          + "until it is", state.round(), s.file(), error);
      return new Finished(() -> otherwise.accept("could not write the checkpoint of round " + state.round() + ": "
          + AsyncWork.describe(error)));
    });
  }

  /** The journaled certificate of {@code state}, the model loaded at start; null when there is none. */
  CommitProof journaledProof(ModelState state) {
    try {
      return store.isEmpty() ? null : store.get().certificateOf(state).map(CommitProof::new).orElse(null);
    } catch (java.io.IOException | RuntimeException e) {
      context.getLog().warn("Cannot read the certificate of {} from the journal: {}", state, e.getMessage());
      return null;
    }
  }
}
