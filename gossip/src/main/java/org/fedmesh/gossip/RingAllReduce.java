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
 *
 * <p>In a secure round every piece carries an HMAC-SHA256 under the key of its link (sender to receiver) for this
 * attempt, derived from the pair's secret: only the predecessor can make a piece this endpoint applies, so a
 * certified member that injects or replays pieces gets them dropped and counted, and the sum stays exact. The owner
 * hands over the link keys with {@link Keys} once it has verified the attempt's signed keys; pieces that come first
 * are held unverified (at most {@link #HELD_PER_EXPECTED} times the pieces expected, so an injector cannot grow
 * memory) and are not marked as received until they verify, so an injected piece never crowds out the genuine one.
 * A plain round has no pair secrets, so its pieces carry no MAC ({@link Expect#authenticated} off).
 *
 * <p>With {@link Start#holdSummedSegment} (double masking), the endpoint stops when the segment it completes in the
 * reduce-scatter is summed: it reports it ({@link SegmentSummed}, still self-masked) and starts that segment's
 * all-gather only with the unmasked values its owner hands back ({@link ReleaseSegment}). Each member so removes
 * the self-masks from one segment, not from the whole vector, and nothing unmasked travels before every member
 * has attested. Other segments' all-gather pieces are applied and passed on as they come.
 *
 * <p>The endpoint also keeps, per attempt, what it got from its predecessor ({@link ReportLinks}): at step 0 of the
 * reduce-scatter a member sends pieces of its own segment, which depend on nothing but its own vector, so a
 * predecessor that sent none or not all of them, or sent an authenticated piece that does not fit the layout,
 * misbehaved whatever the others did. Later pieces may be missing only because someone upstream is silent.
 */
public final class RingAllReduce extends AbstractBehavior<Command> {

  /** How many times the pieces it expects an endpoint holds while it waits for its link keys. */
  static final int HELD_PER_EXPECTED = 2;

  /**
   * Announces the attempt this node takes part in, so that early pieces from peers are kept, not dropped.
   * {@code authenticated}: pieces carry MACs, and none is applied before {@link Keys} came (a secure round).
   */
  public record Expect(AttemptId attempt, int ringSize, int myIndex, int vectorLength, boolean authenticated)
      implements Command {}

  /**
   * The attempt's link keys: {@code sendKey} authenticates what this node sends its successor, {@code receiveKey}
   * what it accepts from its predecessor; {@code keepSendKey} what it sends back to its predecessor, and
   * {@code keepReceiveKey} what it accepts back from its successor ({@link Phase#KEEP}). Local only (never leaves
   * the member).
   */
  public record Keys(AttemptId attempt, byte[] sendKey, byte[] receiveKey, byte[] keepSendKey, byte[] keepReceiveKey)
      implements Command {
    public Keys {
      sendKey = sendKey.clone();
      receiveKey = receiveKey.clone();
      keepSendKey = keepSendKey.clone();
      keepReceiveKey = keepReceiveKey.clone();
    }

    @Override
    public String toString() {
      return "Keys[" + attempt + "]";
    }
  }

  /** Asks what this node received from its ring predecessor in {@code attempt}. */
  public record ReportLinks(AttemptId attempt, ActorRef<LinkReport> replyTo) implements Command {}

  /**
   * What this node got from its predecessor (ring index {@code predecessorIndex}) in {@code attempt}; {@code known}
   * is false when the endpoint holds no such attempt (then the counts say nothing).
   *
   * @param ownPiecesExpected pieces of the predecessor's own segment due at reduce-scatter step 0
   * @param ownPiecesReceived how many of them arrived (authenticated, in a secure round) and fit the layout
   * @param misfitPieces authenticated pieces that do not fit the layout (size, offset, step, sender index): in a
   *     secure round only the predecessor can have made them; always 0 in a plain round, where anyone could have
   * @param firstMisfit why the first of them did not fit, or null
   * @param forgedPieces pieces whose MAC did not verify: injected or altered by anyone, so they accuse nobody
   * @param heldPieces pieces still held waiting for the link keys
   * @param overflowPieces pieces dropped unverified because the hold was full before the keys came: a flood of
   *     injected pieces may have pushed genuine ones out, so missing pieces then prove nothing
   */
  public record LinkReport(AttemptId attempt, boolean known, int predecessorIndex, int ownPiecesExpected,
                           int ownPiecesReceived, int misfitPieces, String firstMisfit, int forgedPieces,
                           int heldPieces, int overflowPieces) {
    static LinkReport unknown(AttemptId attempt) {
      return new LinkReport(attempt, false, -1, 0, 0, 0, null, 0, 0, 0);
    }
  }

  /**
   * Runs the all-reduce of {@code vector} (which the actor then owns and overwrites) with {@code ring}, where
   * {@code ring.get(myIndex)} is this endpoint. {@code holdSummedSegment}: pause at the end of the reduce-scatter
   * (see the class comment).
   */
  public record Start(AttemptId attempt, List<ActorRef<Command>> ring, int myIndex, long[] vector,
                      ActorRef<Outcome> replyTo, boolean holdSummedSegment) implements Command {
    public Start {
      ring = List.copyOf(ring);
      Objects.checkIndex(myIndex, ring.size());
    }

    /** The whole all-reduce without a pause. */
    public Start(AttemptId attempt, List<ActorRef<Command>> ring, int myIndex, long[] vector,
                 ActorRef<Outcome> replyTo) {
      this(attempt, ring, myIndex, vector, replyTo, false);
    }

    /** The same start with another vector (a wrapper that changes what a member contributes keeps the rest). */
    public Start withVector(long[] other) {
      return new Start(attempt, ring, myIndex, other, replyTo, holdSummedSegment);
    }

    public Start withRing(List<ActorRef<Command>> other) {
      return new Start(attempt, other, myIndex, vector, replyTo, holdSummedSegment);
    }

    public Start withReplyTo(ActorRef<Outcome> other) {
      return new Start(attempt, ring, myIndex, vector, other, holdSummedSegment);
    }
  }

  /**
   * The summed segment, as its owner makes it go on: {@code values} replace it (the same length) and its
   * all-gather starts. Local only.
   */
  public record ReleaseSegment(AttemptId attempt, long[] values) implements Command {}

  /** Drops the attempt, if it is the current one. */
  public record Cancel(AttemptId attempt) implements Command {}

  /** What the endpoint tells the member that started an all-reduce. */
  public sealed interface Outcome permits SumRevealed, SegmentSummed, Completed, Failed {
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
   * With {@link Start#holdSummedSegment}: this member holds the complete sum of the segment at {@code offset}
   * (its {@code values}, a copy), and its all-gather waits for {@link ReleaseSegment}. It also holds its
   * successor's segment of the sum, from word {@code keptOffset} ({@code kept}): the last partial sum of it, which
   * it passed the successor in the reduce-scatter, plus the successor's own words there, which the successor sent
   * it back as its ring started ({@link Phase#KEEP}). So every segment is held twice, without another hop after
   * the reduce-scatter.
   */
  public record SegmentSummed(AttemptId attempt, int offset, long[] values, int keptOffset, long[] kept)
      implements Outcome {}

  /**
   * Published on the actor system's event stream when this member hands its vector to the ring: from then on the
   * member's masked update is travelling. For monitoring, and for tests that need to act at that moment.
   * {@code nanoTime}: {@link System#nanoTime()} when it happened (subscribers hear of it later).
   */
  public record AllReduceStarted(AttemptId attempt, int myIndex, int ringSize, long nanoTime) {}

  /**
   * Published on the event stream when this member holds the whole sum: with {@link AllReduceStarted}, the ring's
   * own duration, apart from encoding and decoding (for monitoring and benchmarks).
   */
  public record AllReduceCompleted(AttemptId attempt, int myIndex, long bytesSent, long nanoTime) {}

  /** The sum, identical on every member; {@code bytesSent} counts this member's payload bytes. */
  public record Completed(AttemptId attempt, long[] sum, long bytesSent, long messagesSent) implements Outcome {}

  private final int maxPieceWords;
  private Session session;
  /** What the last attempt that ended here received, so a query after its end is still answered. */
  private LinkReport lastReport;
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
        .onMessage(Keys.class, this::onKeys)
        .onMessage(Start.class, this::onStart)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(ReleaseSegment.class, this::onRelease)
        .onMessage(Chunk.class, this::onChunk)
        .onMessage(ReportLinks.class, this::onReportLinks)
        .onSignal(PreRestart.class, signal -> onRestart())
        .build();
  }

  /**
   * The words {@code [start, end)} of the segment that the member at {@code index} of a ring of {@code size} sums
   * (and holds first, before the all-gather), for a vector of {@code length} words.
   */
  public static int[] summedSegment(int size, int length, int index) {
    int k = Math.floorMod(index + 1, size);
    return new int[] {RingLayout.boundary(k, size, length), RingLayout.boundary(k + 1, size, length)};
  }

  private Behavior<Command> onExpect(Expect expect) {
    if (session == null || !session.attempt.equals(expect.attempt())) {
      end();
      session = new Session(expect.attempt(), expect.ringSize(), expect.myIndex(), expect.vectorLength(),
          maxPieceWords, expect.authenticated());
    }
    return this;
  }

  private Behavior<Command> onKeys(Keys keys) {
    Session s = session;
    if (s == null || !s.attempt.equals(keys.attempt()) || !s.authenticated || s.receiveMac != null) {
      getContext().getLog().debug("Ignored the link keys of {}: not awaited", keys.attempt());
      return this;
    }
    s.sendMac = new PieceMac(keys.sendKey());
    s.receiveMac = new PieceMac(keys.receiveKey());
    s.keepSendMac = new PieceMac(keys.keepSendKey());
    s.keepReceiveMac = new PieceMac(keys.keepReceiveKey());
    for (Chunk chunk : s.drainHeld()) {
      accept(s, chunk);
    }
    completeIfDone(s);
    return this;
  }

  private Behavior<Command> onStart(Start start) {
    if (session == null || !session.attempt.equals(start.attempt())) {
      // Not announced: a plain ring (a secure one is always announced, with its keys, before it starts).
      onExpect(new Expect(start.attempt(), start.ring().size(), start.myIndex(), start.vector().length, false));
    }
    Session s = session;
    if (s.n != start.ring().size() || s.myIndex != start.myIndex() || s.vectorLength != start.vector().length) {
      start.replyTo().tell(new Failed(start.attempt(), "the start (" + start.ring().size() + " members, index "
          + start.myIndex() + ", " + start.vector().length + " words) does not match the announced ring ("
          + s.n + ", " + s.myIndex + ", " + s.vectorLength + ")"));
      end();
      return this;
    }
    if (s.authenticated && s.sendMac == null) {
      start.replyTo().tell(new Failed(start.attempt(), "the ring was started before its link keys were given"));
      end();
      return this;
    }
    s.begin(start);
    getContext().getSystem().eventStream().tell(new EventStream.Publish<>(
        new AllReduceStarted(start.attempt(), start.myIndex(), s.n, System.nanoTime())));
    if (s.n > 1) {
      int own = s.myIndex;
      for (int p = 0; p < s.layout.pieces(); p++) {
        if (s.layout.segment(p) == own) {
          s.send(Phase.REDUCE_SCATTER, 0, p, copyOfPiece(s, p));
        } else if (s.holding && s.layout.segment(p) == s.summedSegment) {
          s.sendBack(p, copyOfPiece(s, p)); // before the reduce-scatter writes the segment's sum over these words
        }
      }
    }
    List<Chunk> early = s.drainEarly();
    for (Chunk chunk : early) {
      apply(s, chunk);
    }
    s.reportSegmentIfSummed(); // at once when there is nothing to receive for it (a ring of one)
    completeIfDone(s);
    return this;
  }

  private Behavior<Command> onRelease(ReleaseSegment release) {
    Session s = session;
    if (s == null || !s.attempt.equals(release.attempt()) || !s.holding || s.released) {
      getContext().getLog().debug("Ignored the release of a segment of {}: not awaited", release.attempt());
      return this;
    }
    int start = s.layout.segmentStart(s.summedSegment);
    int length = s.layout.segmentEnd(s.summedSegment) - start;
    if (release.values().length != length) {
      s.replyTo.tell(new Failed(s.attempt, "the released segment has " + release.values().length
          + " words, not " + length));
      end();
      return this;
    }
    System.arraycopy(release.values(), 0, s.vector, start, length);
    s.released = true;
    if (s.n > 1) {
      for (int p = 0; p < s.layout.pieces(); p++) {
        if (s.layout.segment(p) == s.summedSegment) {
          s.send(Phase.ALL_GATHER, 0, p, copyOfPiece(s, p));
        }
      }
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
      end();
    }
    return this;
  }

  private Behavior<Command> onReportLinks(ReportLinks query) {
    LinkReport report;
    if (session != null && session.attempt.equals(query.attempt())) {
      report = session.linkReport();
    } else if (lastReport != null && lastReport.attempt().equals(query.attempt())) {
      report = lastReport;
    } else {
      report = LinkReport.unknown(query.attempt());
    }
    query.replyTo().tell(report);
    return this;
  }

  private Behavior<Command> onChunk(Chunk chunk) {
    Session s = session;
    if (s == null || !s.attempt.equals(chunk.attempt())) {
      logDrop(chunk, "it is not for the attempt this node is in (" + (s == null ? "none" : s.attempt) + ")");
      return this;
    }
    if (s.authenticated && s.receiveMac == null) {
      // The attempt's keys, both directions, come together.
      if (!s.hold(chunk)) {
        logDrop(chunk, "already " + s.held.size() + " pieces wait for this attempt's link keys");
      }
      return this;
    }
    accept(s, chunk);
    completeIfDone(s);
    return this;
  }

  /** Verifies and checks a piece against the schedule, then applies it (or keeps it until the start). */
  private void accept(Session s, Chunk chunk) {
    boolean back = chunk.phase() == Phase.KEEP;
    if (s.authenticated && !(back ? s.keepReceiveMac : s.receiveMac).verifies(chunk)) {
      if (s.forged++ == 0) {
        getContext().getLog().warn("Dropped {}: its MAC does not verify, so the {} did not send it as it is"
            + " (injected, replayed from elsewhere or altered); further ones in {} are only counted", chunk,
            back ? "successor" : "predecessor", s.attempt);
      }
      return;
    }
    String misfit = s.misfit(chunk);
    if (misfit != null) {
      if (s.authenticated && !back) {
        s.misfitFromPredecessor(misfit);
      }
      logDrop(chunk, misfit);
      return;
    }
    if (!s.firstTime(chunk)) {
      logDrop(chunk, "piece at offset " + chunk.offset() + " was already received in " + chunk.phase());
      return;
    }
    if (!s.started()) {
      // Only valid pieces get here, each at most once, so the buffer holds at most one vector's worth.
      s.early.add(chunk);
      return;
    }
    apply(s, chunk);
  }

  /** Ends the attempt in progress, if any, keeping what it received for queries and counting its forgeries. */
  private void end() {
    Session s = session;
    if (s == null) {
      return;
    }
    lastReport = s.linkReport();
    if (s.forged > 0 || s.overflow > 0) {
      getContext().getLog().warn("{}: dropped {} piece(s) whose MAC did not verify and {} beyond the bound held"
          + " before the link keys", s.attempt, s.forged, s.overflow);
    }
    session = null;
  }

  private void apply(Session s, Chunk chunk) {
    if (chunk.phase() == Phase.KEEP) {
      s.keep(chunk);
      return;
    }
    int p = s.layout.pieceAt(chunk.offset());
    long[] acc = s.vector;
    long[] values = chunk.values();
    int start = chunk.offset();
    int lastStep = s.n - 2;
    if (chunk.phase() == Phase.REDUCE_SCATTER) {
      s.reduced++;
      if (chunk.step() < lastStep) {
        // A partial sum only passes through: this member's part goes into the received piece (its own array, never
        // used again here), which travels on; the vector keeps its own values until the all-gather overwrites them.
        for (int i = 0; i < values.length; i++) {
          values[i] += acc[start + i];
        }
        s.send(Phase.REDUCE_SCATTER, chunk.step() + 1, p, values);
        s.reportSegmentIfSummed();
        return;
      }
      for (int i = 0; i < values.length; i++) {
        values[i] += acc[start + i];
      }
      System.arraycopy(values, 0, acc, start, values.length);
      if (s.holding) {
        s.summedPieces++;
        s.reportSegmentIfSummed();
      } else {
        // This member now holds the complete sum of this piece: start spreading it (the received array again).
        s.revealed();
        s.send(Phase.ALL_GATHER, 0, p, values);
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
    if (s.started() && s.done() && (!s.holding || s.released) && s == session) {
      s.replyTo.tell(new Completed(s.attempt, s.vector, s.bytesSent, s.messagesSent));
      getContext().getSystem().eventStream().tell(new EventStream.Publish<>(
          new AllReduceCompleted(s.attempt, s.myIndex, s.bytesSent, System.nanoTime())));
      end();
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
    final BitSet seenKept = new BitSet();
    final int expectedReduce;
    final int expectedGather;
    final boolean authenticated;
    final int holdLimit;
    List<Chunk> held = new ArrayList<>();
    PieceMac sendMac;
    PieceMac receiveMac;
    PieceMac keepSendMac;
    PieceMac keepReceiveMac;
    int forged;
    int overflow;
    int misfits;
    String firstMisfit;
    List<Chunk> early = new ArrayList<>();
    long[] vector;
    List<ActorRef<Command>> ring;
    ActorRef<Outcome> replyTo;
    boolean sumRevealed;
    /** The segment this member completes in the reduce-scatter, and whether its all-gather waits for a release. */
    final int summedSegment;
    final int summedPiecesExpected;
    boolean holding;
    int summedPieces;
    /**
     * The successor's segment, kept when holding: the sum of the last partial sum of it this member sends the
     * successor and the successor's own words of it, which it sends back, each added in as it goes or comes.
     */
    final int keptSegment;
    final int keptPiecesExpected;
    long[] kept;
    int passedPieces;
    int keptPieces;
    boolean segmentReported;
    boolean released;
    int reduced;
    int gathered;
    long bytesSent;
    long messagesSent;

    Session(AttemptId attempt, int n, int myIndex, int vectorLength, int maxPieceWords, boolean authenticated) {
      if (n < 1 || myIndex < 0 || myIndex >= n) {
        throw new IllegalArgumentException("index " + myIndex + " outside a ring of " + n);
      }
      this.attempt = attempt;
      this.n = n;
      this.myIndex = myIndex;
      this.vectorLength = vectorLength;
      this.layout = new RingLayout(n, vectorLength, maxPieceWords);
      this.expectedReduce = n == 1 ? 0 : layout.piecesOutside(myIndex);
      this.summedSegment = Math.floorMod(myIndex + 1, n);
      this.expectedGather = n == 1 ? 0 : layout.piecesOutside(summedSegment);
      this.authenticated = authenticated && n > 1;
      this.summedPiecesExpected = n == 1 ? 0 : layout.pieces() - layout.piecesOutside(summedSegment);
      this.keptSegment = Math.floorMod(myIndex + 2, n);
      this.keptPiecesExpected = n == 1 ? 0 : layout.pieces() - layout.piecesOutside(keptSegment);
      this.holdLimit = HELD_PER_EXPECTED * (expectedReduce + expectedGather + keptPiecesExpected);
    }

    /** Tells the owner once the summed segment is complete and the successor's kept, when holding. */
    void reportSegmentIfSummed() {
      if (holding && !segmentReported && summedPieces == summedPiecesExpected
          && passedPieces == keptPiecesExpected && keptPieces == keptPiecesExpected) {
        segmentReported = true;
        int start = layout.segmentStart(summedSegment);
        replyTo.tell(new SegmentSummed(attempt, start,
            java.util.Arrays.copyOfRange(vector, start, layout.segmentEnd(summedSegment)),
            layout.segmentStart(keptSegment), kept));
      }
    }

    /** The successor's own words of its segment, sent back (a fitting piece, once). */
    void keep(Chunk chunk) {
      if (!holding) {
        return; // only a double-masking ring keeps segments; the piece fits the schedule but is of no use here
      }
      addToKept(chunk.offset(), chunk.values());
      keptPieces++;
      reportSegmentIfSummed();
    }

    int predecessor() {
      return Math.floorMod(myIndex - 1, n);
    }

    /** Keeps a piece until the keys come, unless the bound is reached; false when dropped. */
    boolean hold(Chunk chunk) {
      if (held.size() >= holdLimit) {
        overflow++;
        return false;
      }
      held.add(chunk);
      return true;
    }

    List<Chunk> drainHeld() {
      List<Chunk> drained = held;
      held = new ArrayList<>();
      return drained;
    }

    void misfitFromPredecessor(String why) {
      if (misfits++ == 0) {
        firstMisfit = why;
      }
    }

    LinkReport linkReport() {
      int expected = 0;
      int received = 0;
      if (n > 1) {
        for (int p = 0; p < layout.pieces(); p++) {
          if (layout.segment(p) == predecessor()) {
            expected++;
            received += seenReduce.get(p) ? 1 : 0;
          }
        }
      }
      return new LinkReport(attempt, true, predecessor(), expected, received, misfits, firstMisfit, forged,
          held.size(), overflow);
    }

    boolean started() {
      return vector != null;
    }

    void begin(Start start) {
      this.vector = start.vector();
      this.ring = start.ring();
      this.replyTo = start.replyTo();
      this.holding = start.holdSummedSegment();
      this.kept = new long[holding && n > 1 ? layout.segmentEnd(keptSegment) - layout.segmentStart(keptSegment) : 0];
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
    String misfit(Chunk chunk) {
      if (chunk.phase() == Phase.KEEP) {
        return keepMisfit(chunk);
      }
      int predecessor = predecessor();
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
      return null;
    }

    /** A piece sent back must come from the successor, at step 0, and be a piece of the successor's segment. */
    private String keepMisfit(Chunk chunk) {
      int successor = Math.floorMod(myIndex + 1, n);
      if (n == 1 || chunk.senderIndex() != successor) {
        return "sender index " + chunk.senderIndex() + " sent a piece back, but only this node's successor "
            + successor + " does";
      }
      int p = layout.pieceAt(chunk.offset());
      if (p < 0 || layout.length(p) != chunk.values().length || layout.segment(p) != keptSegment
          || chunk.step() != 0) {
        return "offset " + chunk.offset() + " with " + chunk.values().length + " values at step " + chunk.step()
            + " is not a piece of the successor's segment";
      }
      return null;
    }

    /** Marks a fitting piece as received; false when it was received before. */
    boolean firstTime(Chunk chunk) {
      BitSet seen = switch (chunk.phase()) {
        case REDUCE_SCATTER -> seenReduce;
        case ALL_GATHER -> seenGather;
        case KEEP -> seenKept;
      };
      int p = layout.pieceAt(chunk.offset());
      if (seen.get(p)) {
        return false;
      }
      seen.set(p);
      return true;
    }

    List<Chunk> drainEarly() {
      List<Chunk> drained = early;
      early = new ArrayList<>();
      return drained;
    }

    void send(Phase phase, int step, int piece, long[] values) {
      ActorRef<Command> successor = ring.get(Math.floorMod(myIndex + 1, n));
      int offset = layout.start(piece);
      if (holding && phase == Phase.REDUCE_SCATTER && step == n - 2) {
        addToKept(offset, values);
        passedPieces++;
      }
      byte[] mac = authenticated ? sendMac.tag(attempt, phase, step, myIndex, offset, values) : new byte[0];
      successor.tell(new Chunk(attempt, phase, step, myIndex, offset, values, mac));
      bytesSent += 8L * values.length;
      messagesSent++;
    }

    /** Adds words at {@code offset} of the vector into the kept segment (wrapping, as the sum does). */
    private void addToKept(int offset, long[] values) {
      int base = offset - layout.segmentStart(keptSegment);
      for (int i = 0; i < values.length; i++) {
        kept[base + i] += values[i];
      }
    }

    /** A piece of this member's own words of the segment it sums, back to its predecessor, which keeps it. */
    void sendBack(int piece, long[] values) {
      int offset = layout.start(piece);
      byte[] mac = authenticated ? keepSendMac.tag(attempt, Phase.KEEP, 0, myIndex, offset, values) : new byte[0];
      ring.get(predecessor()).tell(new Chunk(attempt, Phase.KEEP, 0, myIndex, offset, values, mac));
      bytesSent += 8L * values.length;
      messagesSent++;
    }
  }
}
