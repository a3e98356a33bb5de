package org.fedmesh.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;

/** Waits on cluster membership events as one member sees them, instead of polling its state. */
final class ClusterWatch {
  private static final AtomicLong NAMES = new AtomicLong();

  private ClusterWatch() {}

  /**
   * Until {@code observer} no longer lists a member at {@code port} (it was removed, or never there). Presence is
   * read from the snapshot the subscription starts with, not from {@code Cluster.state()}: that view is updated by
   * another actor and can still list a member whose removal was published before the subscription took effect, in
   * which case the removal would never be seen.
   */
  static void awaitRemoved(ActorSystem<?> observer, int port, Duration timeout) throws InterruptedException {
    CountDownLatch gone = new CountDownLatch(1);
    List<String> seen = new ArrayList<>();
    ActorRef<Object> watcher = observer.systemActorOf(
        Behaviors.receive(Object.class)
            .onMessage(ClusterEvent.CurrentClusterState.class, state -> {
              boolean present = false;
              for (Member m : state.getMembers()) {
                present |= portOf(m) == port;
              }
              if (!present) {
                gone.countDown();
                return Behaviors.stopped();
              }
              return Behaviors.same();
            })
            .onMessage(ClusterEvent.MemberEvent.class, event -> {
              if (portOf(event.member()) == port) {
                synchronized (seen) {
                  seen.add(event.getClass().getSimpleName() + " " + event.member().status());
                }
                if (event instanceof ClusterEvent.MemberRemoved) {
                  gone.countDown();
                  return Behaviors.stopped();
                }
              }
              return Behaviors.same();
            })
            .build(),
        "await-removed-" + NAMES.incrementAndGet(), Props.empty());
    Cluster.get(Adapter.toClassic(observer)).subscribe(Adapter.toClassic(watcher),
        ClusterEvent.initialStateAsSnapshot(), ClusterEvent.MemberEvent.class);
    if (!gone.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      String status = "not listed";
      for (Member m : Cluster.get(Adapter.toClassic(observer)).state().getMembers()) {
        if (portOf(m) == port) {
          status = m.status().toString();
        }
      }
      synchronized (seen) {
        throw new AssertionError("the member at port " + port + " was never removed in the view of "
            + observer.address() + " (events seen: " + seen + "; status now: " + status + ")");
      }
    }
  }

  private static int portOf(Member member) {
    return (Integer) member.address().port().get();
  }
}
