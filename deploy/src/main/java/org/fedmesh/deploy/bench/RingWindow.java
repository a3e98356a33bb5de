package org.fedmesh.deploy.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.gossip.RingAllReduce.AllReduceCompleted;
import org.fedmesh.gossip.RingAllReduce.AllReduceStarted;
import org.fedmesh.protocols.AttemptId;

/**
 * The ring's own duration per attempt, from the first member handing its vector over to the last member holding the
 * sum, as the shipped endpoints publish them on each member's event stream: the all-reduce apart from encoding,
 * decoding and applying.
 */
final class RingWindow {
  private static final long WAIT_NANOS = 10_000_000_000L;

  private final Map<AttemptId, Window> windows = new ConcurrentHashMap<>();

  private static final class Window {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    int completed;
  }

  /** Listens on {@code system}'s event stream. */
  void watch(ActorSystem<?> system) {
    ActorRef<Object> listener = system.systemActorOf(Behaviors.receive(Object.class)
        .onMessage(AllReduceStarted.class, e -> {
          update(e.attempt(), w -> w.first = Math.min(w.first, e.nanoTime()));
          return Behaviors.same();
        })
        .onMessage(AllReduceCompleted.class, e -> {
          update(e.attempt(), w -> {
            w.last = Math.max(w.last, e.nanoTime());
            w.completed++;
          });
          return Behaviors.same();
        })
        .build(), "bench-ring-window", Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(AllReduceStarted.class, listener.narrow()));
    system.eventStream().tell(new EventStream.Subscribe<>(AllReduceCompleted.class, listener.narrow()));
  }

  private void update(AttemptId attempt, java.util.function.Consumer<Window> change) {
    Window w = windows.computeIfAbsent(attempt, a -> new Window());
    synchronized (w) {
      change.accept(w);
    }
  }

  /** Seconds of {@code attempt}'s all-reduce, once all {@code members} have published their completion. */
  double seconds(AttemptId attempt, int members) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (System.nanoTime() < deadline) {
      Window w = windows.get(attempt);
      if (w != null) {
        synchronized (w) {
          if (w.completed == members && w.first != Long.MAX_VALUE) {
            windows.remove(attempt);
            return (w.last - w.first) / 1e9;
          }
        }
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException("the ring of " + attempt + " did not publish all " + members + " completions");
  }
}
