package org.fedmesh.system;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.protocols.AllReduceProtocol.Command;

/**
 * Wrappers that turn a real member's ring endpoint into a dishonest one from a given round on, while everything
 * else about the member (its keys, its Ready and Contributed, its MACs) stays as an honest member's.
 */
final class MisbehavingRing {
  private MisbehavingRing() {}

  /** Reports Contributed as usual, then sends its successor nothing: every piece goes into a black hole. */
  static UnaryOperator<Behavior<Command>> silentFrom(long round) {
    return endpoint -> Behaviors.intercept(() -> new RewriteStart(round) {
      @Override
      RingAllReduce.Start rewrite(TypedActorContext<Command> ctx, RingAllReduce.Start start) {
        return silent(ctx, start);
      }
    }, endpoint);
  }

  /** Puts well-formed pieces of random words into the ring instead of its masked update (MACs and all valid). */
  static UnaryOperator<Behavior<Command>> garbageFrom(long round) {
    return endpoint -> Behaviors.intercept(() -> new RewriteStart(round) {
      @Override
      RingAllReduce.Start rewrite(TypedActorContext<Command> ctx, RingAllReduce.Start start) {
        return garbage(start);
      }
    }, endpoint);
  }

  /**
   * Silent in every attempt of the first round it is in a ring of (whenever it joins), honest in the next
   * {@code honestRounds} rounds it is in, garbage in every one after: a schedule that does not depend on how fast
   * the member joins or is readmitted.
   */
  static UnaryOperator<Behavior<Command>> silentOnceThenGarbage(int honestRounds) {
    return endpoint -> Behaviors.intercept(() -> new RewriteStart(1) {
      private final List<Long> rounds = new ArrayList<>();

      @Override
      RingAllReduce.Start rewrite(TypedActorContext<Command> ctx, RingAllReduce.Start start) {
        long round = start.attempt().round();
        if (rounds.isEmpty() || rounds.get(rounds.size() - 1) != round) {
          rounds.add(round);
        }
        int nth = rounds.size(); // 1 = the first round it is in
        return nth == 1 ? silent(ctx, start) : nth <= 1 + honestRounds ? start : garbage(start);
      }
    }, endpoint);
  }

  private static RingAllReduce.Start silent(TypedActorContext<Command> ctx, RingAllReduce.Start start) {
    ActorRef<Command> blackHole = ctx.asJava().spawnAnonymous(Behaviors.ignore());
    List<ActorRef<Command>> ring = new ArrayList<>(start.ring());
    ring.set((start.myIndex() + 1) % ring.size(), blackHole);
    return start.withRing(ring);
  }

  private static RingAllReduce.Start garbage(RingAllReduce.Start start) {
    long[] garbage = new SplittableRandom(start.attempt().nonceLow()).longs(start.vector().length).toArray();
    return start.withVector(garbage);
  }

  /** Lets every message through, rewriting the start of the all-reduce from {@code round} on. */
  private abstract static class RewriteStart extends BehaviorInterceptor<Command, Command> {
    private final long round;

    RewriteStart(long round) {
      super(Command.class);
      this.round = round;
    }

    abstract RingAllReduce.Start rewrite(TypedActorContext<Command> ctx, RingAllReduce.Start start);

    @Override
    public Behavior<Command> aroundReceive(TypedActorContext<Command> ctx, Command msg,
                                           ReceiveTarget<Command> target) {
      if (msg instanceof RingAllReduce.Start start && start.attempt().round() >= round) {
        return target.apply(ctx, rewrite(ctx, start));
      }
      return target.apply(ctx, msg);
    }
  }
}
