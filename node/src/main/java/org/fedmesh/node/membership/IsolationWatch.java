package org.fedmesh.node.membership;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.fedmesh.node.NodeSettings.MembershipSettings;

/**
 * Makes a member leave when it has been cut off from the consortium for too long. The split brain resolver downs
 * the smaller side of a partition, but a member that formed a cluster of its own (a restart whose seed nodes did
 * not answer in time) is the whole of its cluster: nothing downs it, and it waits for participants forever while
 * the others train. So: when this member is Up and fewer than a majority of the expected members are Up and
 * reachable for {@code isolation-exit-after}, it runs coordinated shutdown with {@link #REASON}; {@code fedmesh run}
 * then exits with the "downed" code, a supervisor starts it again, and it rejoins the real consortium. A member
 * that has not joined yet is left alone: Pekko keeps trying, and a restart would only start the wait again.
 */
public final class IsolationWatch extends AbstractBehavior<IsolationWatch.Command> {

  /** The coordinated-shutdown reason of a member that left because it was cut off from the majority. */
  public enum Isolated implements CoordinatedShutdown.Reason { INSTANCE }

  public static final CoordinatedShutdown.Reason REASON = Isolated.INSTANCE;

  public sealed interface Command {}

  /** Asks what the watch sees; for tests and diagnostics. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * @param upAndReachable members seen Up and reachable, this one included
   * @param majority how many must be for the clock to stop
   * @param clockRunning whether the member is counting down to leaving
   */
  public record Status(int upAndReachable, int majority, boolean clockRunning) {}

  private record MembershipChanged(ClusterEvent.MemberEvent event) implements Command {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  private enum IsolatedTooLong implements Command { INSTANCE }

  private static final Object CLOCK = "isolation-clock";

  private final MembershipSettings settings;
  private final TimerScheduler<Command> timers;
  private final Address self;
  private final Set<Address> up = new HashSet<>();
  private final Set<Address> unreachable = new HashSet<>();
  private long isolatedSinceNanos;

  public static Behavior<Command> create(MembershipSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new IsolationWatch(context, timers, settings)));
  }

  private IsolationWatch(ActorContext<Command> context, TimerScheduler<Command> timers, MembershipSettings settings) {
    super(context);
    this.settings = settings;
    this.timers = timers;
    Cluster cluster = Cluster.get(context.getSystem());
    this.self = cluster.selfMember().address();
    cluster.subscriptions().tell(Subscribe.create(
        context.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new), ClusterEvent.MemberEvent.class));
    cluster.subscriptions().tell(Subscribe.create(
        context.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
        ClusterEvent.ReachabilityEvent.class));
    context.getLog().info("Isolation watch: this member leaves after {} with fewer than {} of {} expected members Up"
        + " and reachable", settings.isolationExitAfter(), settings.majority(), settings.expectedMembers());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(MembershipChanged.class, this::onMembership)
        .onMessage(ReachabilityChanged.class, this::onReachability)
        .onMessage(IsolatedTooLong.class, this::onIsolatedTooLong)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onMembership(MembershipChanged changed) {
    ClusterEvent.MemberEvent event = changed.event();
    Address address = event.member().address();
    if (event.member().status() == MemberStatus.up()) {
      if (up.add(address) && address.equals(self)) {
        getContext().getLog().info("This member is Up in the cluster; {} of {} expected members Up and reachable",
            upAndReachable(), settings.expectedMembers());
      }
    } else {
      up.remove(address); // leaving, exiting, downed or removed: no longer counts
      if (event instanceof ClusterEvent.MemberRemoved) {
        unreachable.remove(address);
      }
    }
    return reconsider();
  }

  private Behavior<Command> onReachability(ReachabilityChanged changed) {
    Address address = changed.event().member().address();
    if (changed.event() instanceof ClusterEvent.UnreachableMember) {
      unreachable.add(address);
    } else {
      unreachable.remove(address);
    }
    return reconsider();
  }

  private int upAndReachable() {
    return (int) up.stream().filter(a -> !unreachable.contains(a)).count();
  }

  /** Starts the clock when this Up member drops below a majority, stops it when it is back above (or not Up). */
  private Behavior<Command> reconsider() {
    int seen = upAndReachable();
    boolean isolated = up.contains(self) && seen < settings.majority();
    boolean running = timers.isTimerActive(CLOCK);
    if (isolated && !running) {
      isolatedSinceNanos = System.nanoTime();
      timers.startSingleTimer(CLOCK, IsolatedTooLong.INSTANCE, settings.isolationExitAfter());
      getContext().getLog().warn("Only {} of {} expected members Up and reachable, fewer than a majority ({}):"
          + " this member leaves in {} unless that changes", seen, settings.expectedMembers(),
          settings.majority(), settings.isolationExitAfter());
    } else if (!isolated && running) {
      timers.cancel(CLOCK);
      getContext().getLog().info("{} of {} expected members Up and reachable, {}", seen, settings.expectedMembers(),
          up.contains(self) ? "a majority" : "and this member is no longer Up");
    }
    return this;
  }

  private Behavior<Command> onIsolatedTooLong(IsolatedTooLong tick) {
    Duration alone = Duration.ofNanos(System.nanoTime() - isolatedSinceNanos);
    getContext().getLog().error("Leaving the cluster: for {} this member has seen fewer than a majority ({}) of the"
        + " {} expected members Up and reachable ({} now). A supervisor should start it again (fedmesh run exits"
        + " with code 3) so that it rejoins the consortium.", alone.withNanos(0), settings.majority(),
        settings.expectedMembers(), upAndReachable());
    CoordinatedShutdown.get(getContext().getSystem()).run(REASON);
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus get) {
    get.replyTo().tell(new Status(upAndReachable(), settings.majority(), timers.isTimerActive(CLOCK)));
    return this;
  }
}
