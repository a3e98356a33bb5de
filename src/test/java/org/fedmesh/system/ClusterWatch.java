package org.fedmesh.system;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/** Waits on cluster membership events as one member sees them, instead of polling its state. */
final class ClusterWatch {
  private static final AtomicLong NAMES = new AtomicLong();

  private ClusterWatch() {}

  /** Until {@code observer} no longer lists a member at {@code port} (it was removed, or never there). */
  static void awaitRemoved(ActorSystem<?> observer, int port, Duration timeout) throws InterruptedException {
    CountDownLatch gone = new CountDownLatch(1);
    ActorRef<ClusterEvent.MemberEvent> watcher = observer.systemActorOf(
        Behaviors.receive(ClusterEvent.MemberEvent.class)
            .onMessage(ClusterEvent.MemberRemoved.class, removed -> {
              if (portOf(removed.member()) == port) {
                gone.countDown();
              }
              return Behaviors.same();
            })
            .build(),
        "await-removed-" + NAMES.incrementAndGet(), Props.empty());
    Cluster.get(observer).subscriptions().tell(Subscribe.create(watcher, ClusterEvent.MemberEvent.class));
    boolean present = false;
    for (Member m : Cluster.get(observer).state().getMembers()) {
      present |= portOf(m) == port;
    }
    if (present && !gone.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the member at port " + port + " was never removed");
    }
  }

  private static int portOf(Member member) {
    return (Integer) member.address().port().get();
  }
}
