package org.fedmesh.node.membership;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * For a restarted first seed node that joins through the others only ({@link SeedList}): if none of them has let
 * it in after {@code restart-join-timeout}, they are all down too, and waiting longer would wait forever. It then
 * joins through the configured list, which makes it the first seed node again: it asks the others once more for
 * {@code seed-node-timeout} and, if still nobody answers, forms the cluster, which the others join as they restart.
 */
public final class SeedListFallback {
  private SeedListFallback() {}

  /** Only its own timer and cluster events: nothing to send it. */
  public sealed interface Command {}

  private record Joined(SelfUp up) implements Command {}

  private enum TimedOut implements Command { INSTANCE }

  /** {@code seeds} are HOST:PORT entries of the actor system named {@code systemName}. */
  public static Behavior<Command> create(String systemName, List<String> seeds, Duration timeout) {
    return Behaviors.<Command>setup(context -> Behaviors.withTimers(timers -> {
      context.setLoggerName(SeedListFallback.class);
      Cluster cluster = Cluster.get(context.getSystem());
      cluster.subscriptions().tell(Subscribe.create(context.messageAdapter(SelfUp.class, Joined::new), SelfUp.class));
      timers.startSingleTimer(TimedOut.INSTANCE, timeout);
      return Behaviors.receive(Command.class)
          .onMessage(Joined.class, joined -> Behaviors.stopped())
          .onMessage(TimedOut.class, timedOut -> {
            context.getLog().warn("No other seed node let this member in within {}: the whole consortium seems to be"
                + " down. Joining through {} again, so that as the first seed node it forms the cluster anew if"
                + " nobody answers within seed-node-timeout", timeout, seeds);
            cluster.manager().tell(new JoinSeedNodes(seeds.stream()
                .map(s -> AddressFromURIString.parse("pekko://" + systemName + "@" + s)).toList()));
            return Behaviors.stopped();
          })
          .build();
    }));
  }
}
