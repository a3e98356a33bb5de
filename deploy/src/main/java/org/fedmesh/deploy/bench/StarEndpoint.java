package org.fedmesh.deploy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.protocols.AllReduceProtocol.Chunk;
import org.fedmesh.protocols.AllReduceProtocol.Command;
import org.fedmesh.protocols.AllReduceProtocol.Phase;
import org.fedmesh.protocols.AttemptId;

/**
 * The central-server baseline, for the benchmark only: member 0 (the hub) receives every other member's whole
 * vector, adds them to its own and sends the sum back to each. Its pieces are the ring's {@link Chunk}s, of the
 * ring's size, through the same binary serializer over the same Artery links, so that only the topology differs.
 * Uploads travel as {@link Phase#REDUCE_SCATTER} pieces and the sum back as {@link Phase#ALL_GATHER}. One attempt
 * at a time; no MACs and no checks beyond the attempt id (a benchmark among honest members).
 */
final class StarEndpoint {
  private StarEndpoint() {}

  /**
   * Starts this member's part: {@code members} as this member sees them (index 0 is the hub), {@code vector} its
   * contribution (the hub adds into it). Local only.
   */
  record Start(AttemptId attempt, List<ActorRef<Command>> members, int myIndex, long[] vector,
               CompletableFuture<Done> done) implements Command {}

  /**
   * The sum, this member's payload bytes (8 per value, as the ring counts them) each way, and when it started
   * sending and got the whole sum ({@link System#nanoTime()}): the exchange apart from encoding and decoding.
   */
  record Done(long[] sum, long bytesSent, long bytesReceived, long startNanos, long doneNanos) {}

  static Behavior<Command> create(int pieceWords) {
    return Behaviors.setup(context -> new Idle(pieceWords).behavior());
  }

  /** Between attempts: uploads that arrive before the hub's own start wait here. */
  private static final class Idle {
    final int pieceWords;
    final List<Chunk> early = new ArrayList<>();

    Idle(int pieceWords) {
      this.pieceWords = pieceWords;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Start.class, this::start)
          .onMessage(Chunk.class, c -> {
            early.add(c);
            return Behaviors.same();
          })
          .build();
    }

    private Behavior<Command> start(Start start) {
      Attempt a = new Attempt(start, pieceWords, this);
      List<Chunk> held = new ArrayList<>(early);
      early.clear(); // pieces of any other attempt are dropped here
      if (start.myIndex() != 0) {
        a.upload();
      }
      for (Chunk c : held) {
        if (c.attempt().equals(start.attempt())) {
          a.take(c);
        }
      }
      return a.finishIfDone();
    }
  }

  /** One attempt in progress on one member. */
  private static final class Attempt {
    final Start start;
    final int pieceWords;
    final Idle idle;
    final long[] values;
    final long expectedWords;
    long receivedWords;
    long bytesSent;
    boolean finished;
    final long startNanos = System.nanoTime();

    Attempt(Start start, int pieceWords, Idle idle) {
      this.start = start;
      this.pieceWords = pieceWords;
      this.idle = idle;
      int n = start.members().size();
      boolean hub = start.myIndex() == 0;
      // The hub sums into its own vector; the others fill a fresh one with the sum coming back.
      this.values = hub ? start.vector() : new long[start.vector().length];
      this.expectedWords = hub ? (long) (n - 1) * values.length : values.length;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Chunk.class, c -> {
            if (!c.attempt().equals(start.attempt())) {
              idle.early.add(c); // a next attempt's upload, ahead of this member's start (a stale one waits unused)
              return Behaviors.same();
            }
            take(c);
            return finishIfDone();
          })
          .onMessage(Start.class, s -> idle.start(s)) // the previous attempt is abandoned
          .build();
    }

    void take(Chunk c) {
      long[] v = c.values();
      int at = c.offset();
      if (c.phase() == Phase.REDUCE_SCATTER) {
        for (int i = 0; i < v.length; i++) {
          values[at + i] += v[i];
        }
      } else {
        System.arraycopy(v, 0, values, at, v.length);
      }
      receivedWords += v.length;
    }

    void upload() {
      long[] own = start.vector();
      for (int at = 0; at < own.length; at += pieceWords) {
        send(start.members().get(0), Phase.REDUCE_SCATTER, at, slice(own, at));
      }
    }

    Behavior<Command> finishIfDone() {
      if (finished || receivedWords < expectedWords) {
        return behavior();
      }
      finished = true;
      if (start.myIndex() == 0) {
        // One copy per piece, shared by every send: nothing writes to the sum any more.
        for (int at = 0; at < values.length; at += pieceWords) {
          long[] piece = slice(values, at);
          for (int j = 1; j < start.members().size(); j++) {
            send(start.members().get(j), Phase.ALL_GATHER, at, piece);
          }
        }
      }
      start.done().complete(new Done(values, bytesSent, 8 * receivedWords, startNanos, System.nanoTime()));
      return idle.behavior();
    }

    private long[] slice(long[] from, int at) {
      long[] piece = new long[Math.min(pieceWords, from.length - at)];
      System.arraycopy(from, at, piece, 0, piece.length);
      return piece;
    }

    private void send(ActorRef<Command> to, Phase phase, int offset, long[] piece) {
      to.tell(new Chunk(start.attempt(), phase, 0, start.myIndex(), offset, piece));
      bytesSent += 8L * piece.length;
    }
  }
}
