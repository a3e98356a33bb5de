package org.fedmesh.node.round;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Work that may throw, run off the actor's thread, its outcome piped back to the actor as one of two messages:
 * a success or a failure, never a message with a nullable error.
 */
final class AsyncWork {
  private AsyncWork() {}

  @FunctionalInterface
  interface Work<T> {
    T run() throws Exception;
  }

  static <T, M> void pipe(ActorContext<M> context, Executor executor, Work<T> work, Function<T, ? extends M> done,
                          Function<Throwable, ? extends M> failed) {
    CompletableFuture<T> future = CompletableFuture.supplyAsync(() -> {
      try {
        return work.run();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }, executor);
    context.pipeToSelf(future, (value, error) -> error == null ? done.apply(value) : failed.apply(cause(error)));
  }

  /** The exception the work threw, not the future's wrapper around it. */
  static Throwable cause(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  /** A message for a person: the exception's own message, or its type when it has none. */
  static String describe(Throwable error) {
    return error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
  }
}
