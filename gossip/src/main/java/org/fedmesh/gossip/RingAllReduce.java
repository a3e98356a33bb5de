package org.fedmesh.gossip;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AllReduceProtocol.Chunk;
import org.fedmesh.protocols.AllReduceProtocol.Command;
import org.fedmesh.protocols.AllReduceProtocol.Phase;
import org.fedmesh.protocols.AttemptId;

/**
 * A node's ring all-reduce endpoint: adds up one {@code long[]} per ring member (wrapping, so in Z_2^64) and gives
 * every member the same sum. Reduce-scatter then all-gather, n-1 steps each; every member sends and receives
 * 2(n-1)/n of the vector. Pieces are forwarded the moment they arrive, so a slow step never holds the whole
 * vector back.
 *
 * <p>One attempt at a time. The owner announces the attempt with {@link Expect} as soon as it knows it (peers may
 * start sending before this node's own vector is ready: their pieces wait in a bounded buffer), then hands over its
 * vector with {@link Start}. Pieces of any other attempt, from a member other than the ring predecessor, at a step
 * or offset that does not fit the layout, or received twice, are dropped with a log line — never applied.
 */
public final class RingAllReduce extends AbstractBehavior<Command> {

  /** Announces the attempt this node takes part in, so that early pieces from peers are kept, not dropped. */
  public record Expect(AttemptId attempt, int ringSize, int myIndex, int vectorLength) implements Command {}

  /**
   * Runs the all-reduce of {@code vector} (which the actor then owns and overwrites) with {@code ring}, where
   * {@code ring.get(myIndex)} is this endpoint.
   */
  public record Start(AttemptId attempt, List<ActorRef<Command>> ring, int myIndex, long[] vector,
                      ActorRef<Outcome> replyTo) implements Command {
    public Start {
      ring = List.copyOf(ring);
      Objects.checkIndex(myIndex, ring.size());
    }
  }

  /** Drops the attempt, if it is the current one. */
  public record Cancel(AttemptId attempt) implements Command {}

  /** What the endpoint tells the member that started an all-reduce. */
  public sealed interface Outcome permits SumRevealed, Completed, Failed {
    AttemptId attempt();
  }

  /**
   * The all-reduce for the attempt cannot go on: its start did not match the announced ring, or the endpoint was
   * restarted after a failure and lost the attempt's state. Never silent: the member aborts the attempt.
   */
  public record Failed(AttemptId attempt, String reason) implements Outcome {}

  /**
   * This member now holds part of the final sum (unmasked, since the masks cancel in it). A retry of the attempt
   * with fewer members and the same updates would then reveal the difference, so the member must know.
   */
  public record SumRevealed(AttemptId attempt) implements Outcome {}

  /**
   * Published on the actor system's event stream when this member hands its vector to the ring: from then on the
   * member's masked update is travelling. For monitoring, and for tests that need to act at that moment.
   */
  public record AllReduceStarted(AttemptId attempt, int myIndex, int ringSize) {}

  /** The sum, identical on every member; {@code bytesSent} counts this member's payload bytes. */
  public record Completed(AttemptId attempt, long[] sum, long bytesSent, long messagesSent) implements Outcome {}

  private final int maxPieceWords;
  private Session session;
  private AttemptId lastDropLogged;

  public static Behavior<Command> create(int maxPieceWords) {
    if (maxPieceWords < 1) {
      throw new IllegalArgumentException("maxPieceWords must be positive, was " + maxPieceWords);
    }
    return Behaviors.setup(context -> new RingAllReduce(context, maxPieceWords));
  }

  private RingAllReduce(ActorContext<Command> context, int maxPieceWords) {
    super(context);
    this.maxPieceWords = maxPieceWords;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Expect.class, this::onExpect)
        .onMessage(Start.class, this::onStart)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(Chunk.class, this::onChunk)
        .onSignal(PreRestart.class, signal -> onRestart())
        .build();
  }

  private Behavior<Command> onExpect(Expect expect) {
    if (session == null || !session.attempt.equals(expect.attempt())) {
      session = new Session(expect.attempt(), expect.ringSize(), expect.myIndex(), expect.vectorLength(),
          maxPieceWords);
    }
    return this;
  }

  private Behavior<Command> onStart(Start start) {
    if (session == null || !session.attempt.equals(start.attempt())) {
      onExpect(new Expect(start.attempt(), start.ring().size(), start.myIndex(), start.vector().length));
    }
    Session s = session;
    if (s.n != start.ring().size() || s.myIndex != start.myIndex() || s.vectorLength != start.vector().length) {
      start.replyTo().tell(new Failed(start.attempt(), "the start (" + start.ring().size() + " members, index "
          + start.myIndex() + ", " + start.vector().length + " words) does not match the announced ring ("
          + s.n + ", " + s.myIndex + ", " + s.vectorLength + ")"));
      session = null;
      return this;
    }
    s.begin(start);
    getContext().getSystem().eventStream().tell(new EventStream.Publish<>(
        new AllReduceStarted(start.attempt(), start.myIndex(), s.n)));
    if (s.n > 1) {
      int own = s.myIndex;
      for (int p = 0; p < s.layout.pieces(); p++) {
        if (s.layout.segment(p) == own) {
          s.send(Phase.REDUCE_SCATTER, 0, p, copyOfPiece(s, p));
        }
      }
    }
    List<Chunk> early = s.drainEarly();
    for (Chunk chunk : early) {
      apply(s, chunk);
    }
    completeIfDone(s);
    return this;
  }

  /** Supervised with restart: whoever waits on the lost attempt hears of it instead of waiting for a deadline. */
  private Behavior<Command> onRestart() {
    if (session != null && session.replyTo != null) {
      session.replyTo.tell(new Failed(session.attempt, "the ring endpoint failed and was restarted"));
    }
    getContext().getLog().error("Ring endpoint restarted after a failure{}",
        session == null ? "" : "; dropped " + session.attempt);
    session = null;
    return this;
  }

  private Behavior<Command> onCancel(Cancel cancel) {
    if (session != null && session.attempt.equals(cancel.attempt())) {
      session = null;
    }
    return this;
  }

  private Behavior<Command> onChunk(Chunk chunk) {
    Session s = session;
    if (s == null || !s.attempt.equals(chunk.attempt())) {
      logDrop(chunk, "it is not for the attempt this node is in (" + (s == null ? "none" : s.attempt) + ")");
      return this;
    }
    String problem = s.validate(chunk);
    if (problem != null) {
      logDrop(chunk, problem);
      return this;
    }
    if (!s.started()) {
      // Only valid pieces get here, each at most once, so the buffer holds at most one vector's worth.
      s.early.add(chunk);
      return this;
    }
    apply(s, chunk);
    completeIfDone(s);
    return this;
  }

  private void apply(Session s, Chunk chunk) {
    int p = s.layout.pieceAt(chunk.offset());
    long[] acc = s.vector;
    long[] values = chunk.values();
    int start = chunk.offset();
    int lastStep = s.n - 2;
    if (chunk.phase() == Phase.REDUCE_SCATTER) {
      for (int i = 0; i < values.length; i++) {
        acc[start + i] += values[i];
      }
      s.reduced++;
      if (chunk.step() < lastStep) {
        s.send(Phase.REDUCE_SCATTER, chunk.step() + 1, p, copyOfPiece(s, p));
      } else {
        // This member now holds the complete sum of this piece: start spreading it.
        s.revealed();
        s.send(Phase.ALL_GATHER, 0, p, copyOfPiece(s, p));
      }
    } else {
      s.revealed();
      System.arraycopy(values, 0, acc, start, values.length);
      s.gathered++;
      if (chunk.step() < lastStep) {
        s.send(Phase.ALL_GATHER, chunk.step() + 1, p, values);
      }
    }
  }

  private void completeIfDone(Session s) {
    if (s.started() && s.done()) {
      s.replyTo.tell(new Completed(s.attempt, s.vector, s.bytesSent, s.messagesSent));
      session = null;
    }
  }

  private static long[] copyOfPiece(Session s, int piece) {
    int start = s.layout.start(piece);
    long[] out = new long[s.layout.length(piece)];
    System.arraycopy(s.vector, start, out, 0, out.length);
    return out;
  }

  private void logDrop(Chunk chunk, String why) {
    // One line per attempt is enough: a stale attempt's pieces arrive by the dozen.
    if (!chunk.attempt().equals(lastDropLogged)) {
      lastDropLogged = chunk.attempt();
      getContext().getLog().warn("Dropped {} (and will drop its like silently): {}", chunk, why);
    }
  }

  /** State of the one attempt in progress. */
  private static final class Session {
    final AttemptId attempt;
    final int n;
    final int myIndex;
    final int vectorLength;
    final RingLayout layout;
    final BitSet seenReduce = new BitSet();
    final BitSet seenGather = new BitSet();
    final int expectedReduce;
    final int expectedGather;
    List<Chunk> early = new ArrayList<>();
    long[] vector;
    List<ActorRef<Command>> ring;
    ActorRef<Outcome> replyTo;
    boolean sumRevealed;
    int reduced;
    int gathered;
    long bytesSent;
    long messagesSent;

    Session(AttemptId attempt, int n, int myIndex, int vectorLength, int maxPieceWords) {
      if (n < 1 || myIndex < 0 || myIndex >= n) {
        throw new IllegalArgumentException("index " + myIndex + " outside a ring of " + n);
      }
      this.attempt = attempt;
      this.n = n;
      this.myIndex = myIndex;
      this.vectorLength = vectorLength;
      this.layout = new RingLayout(n, vectorLength, maxPieceWords);
      this.expectedReduce = n == 1 ? 0 : layout.piecesOutside(myIndex);
      this.expectedGather = n == 1 ? 0 : layout.piecesOutside(Math.floorMod(myIndex + 1, n));
    }

    boolean started() {
      return vector != null;
    }

    void begin(Start start) {
      this.vector = start.vector();
      this.ring = start.ring();
      this.replyTo = start.replyTo();
    }

    void revealed() {
      if (!sumRevealed) {
        sumRevealed = true;
        replyTo.tell(new SumRevealed(attempt));
      }
    }

    boolean done() {
      return reduced == expectedReduce && gathered == expectedGather;
    }

    /** Why the chunk cannot belong to this attempt's schedule, or null when it fits. */
    String validate(Chunk chunk) {
      int predecessor = Math.floorMod(myIndex - 1, n);
      if (n == 1 || chunk.senderIndex() != predecessor) {
        return "sender index " + chunk.senderIndex() + " is not this node's predecessor " + predecessor;
      }
      int p = layout.pieceAt(chunk.offset());
      if (p < 0 || layout.length(p) != chunk.values().length) {
        return "offset " + chunk.offset() + " with " + chunk.values().length + " values is not a piece of the layout";
      }
      int segment = layout.segment(p);
      int expectedStep = chunk.phase() == Phase.REDUCE_SCATTER
          ? Math.floorMod(myIndex - 1 - segment, n)
          : Math.floorMod(myIndex - segment, n);
      if (chunk.step() != expectedStep || expectedStep > n - 2) {
        return "step " + chunk.step() + " does not match segment " + segment + " in " + chunk.phase();
      }
      BitSet seen = chunk.phase() == Phase.REDUCE_SCATTER ? seenReduce : seenGather;
      if (seen.get(p)) {
        return "piece at offset " + chunk.offset() + " was already received in " + chunk.phase();
      }
      seen.set(p);
      return null;
    }

    List<Chunk> drainEarly() {
      List<Chunk> drained = early;
      early = new ArrayList<>();
      return drained;
    }

    void send(Phase phase, int step, int piece, long[] values) {
      ActorRef<Command> successor = ring.get(Math.floorMod(myIndex + 1, n));
      successor.tell(new Chunk(attempt, phase, step, myIndex, layout.start(piece), values));
      bytesSent += 8L * values.length;
      messagesSent++;
    }
  }
}
