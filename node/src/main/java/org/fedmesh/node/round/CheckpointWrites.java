package org.fedmesh.node.round;

import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.fedmesh.node.checkpoint.CheckpointStore;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;

/**
 * The participant's checkpoint writes, off its thread (on the blocking dispatcher): what waits for a write runs
 * back on the actor's thread once the model is durable, so a model is adopted and acknowledged only then.
 */
final class CheckpointWrites {
  /** The checkpoint is written (or there is none to write); {@code then} runs now. */
  record Written(Runnable then) implements ParticipantCommand {}

  /** The write failed; {@code then} tells whoever waited. */
  record NotWritten(ModelState state, Throwable error, Runnable then) implements ParticipantCommand {}

  private final ActorContext<ParticipantCommand> context;
  private final Optional<CheckpointStore> store;
  private final Executor blocking;

  CheckpointWrites(ActorContext<ParticipantCommand> context, Optional<CheckpointStore> store, Executor blocking) {
    this.context = context;
    this.store = store;
    this.blocking = blocking;
  }

  /** Writes {@code state}; then {@code then}, or {@code otherwise} with the reason. Without a store, at once. */
  void write(ModelState state, CheckpointStore.Source source, Runnable then, Consumer<String> otherwise) {
    if (store.isEmpty()) {
      context.getSelf().tell(new Written(then)); // through the mailbox, like a finished write
      return;
    }
    CheckpointStore s = store.get();
    AsyncWork.pipe(context, blocking, () -> {
      s.save(state, source);
      return state;
    }, saved -> new Written(then), error -> new NotWritten(state, error, () -> otherwise.accept(
        "could not write the checkpoint of round " + state.round() + ": " + AsyncWork.describe(error))));
  }

  String where() {
    return store.map(s -> s.file().toString()).orElse("nowhere");
  }
}
