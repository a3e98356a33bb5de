package org.fedmesh.deploy.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.protocols.AllReduceProtocol.Chunk;
import org.fedmesh.protocols.AllReduceProtocol.Command;

/**
 * Counts the payload bytes (8 per value, as the ring counts what it sends) of every piece that reaches a member's
 * ring endpoint, without touching the endpoint: the shipped ring reports only what it sends.
 */
final class ReceivedBytes extends BehaviorInterceptor<Command, Command> {
  private final AtomicLong bytes;

  private ReceivedBytes(AtomicLong bytes) {
    super(Command.class);
    this.bytes = bytes;
  }

  /** {@code endpoint} with every piece it receives added to {@code bytes}. */
  static Behavior<Command> counting(Behavior<Command> endpoint, AtomicLong bytes) {
    return Behaviors.intercept(() -> new ReceivedBytes(bytes), endpoint);
  }

  @Override
  public Behavior<Command> aroundReceive(TypedActorContext<Command> context, Command message,
                                         ReceiveTarget<Command> target) {
    if (message instanceof Chunk chunk) {
      bytes.addAndGet(8L * chunk.values().length);
    }
    return target.apply(context, message);
  }
}
