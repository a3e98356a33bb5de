package org.fedmesh.deploy.operations;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The gauges read when Prometheus scrapes: the member's round and phase, readiness, the cluster as this member sees
 * it, its Artery traffic, and the JVM's usual figures. Counters and timers of rounds live in {@link MemberActivity}.
 */
final class ClusterMetrics {
  private ClusterMetrics() {}

  static void register(MeterRegistry registry, ActorSystem<?> system, MemberActivity activity, Readiness readiness,
                       Optional<MemberOperations.Privacy> privacy) {
    Gauge.builder("fedmesh.consortium.accuracy", activity, a -> a.snapshot().consortiumAccuracy())
        .description("Secure evaluation: a committed model's accuracy on every member's held-out rows together")
        .register(registry);
    privacy.filter(p -> p.settings().enabled()).ifPresent(p -> Gauge.builder("fedmesh.privacy.epsilon", p,
            q -> q.spent().get().epsilon())
        .description("Differential privacy spent by this member so far (epsilon at the configured delta)")
        .register(registry));
    Gauge.builder("fedmesh.committed.round", activity, a -> a.snapshot().committedRound())
        .description("The round of the model this member holds").register(registry);
    Gauge.builder("fedmesh.held.out.evaluation", activity, a -> a.snapshot().evaluation())
        .description("The last committed model on this member's held-out rows (accuracy, or MSE for regression)")
        .register(registry);
    for (MemberActivity.Phase phase : MemberActivity.Phase.values()) {
      Gauge.builder("fedmesh.phase", activity, a -> a.snapshot().phase() == phase ? 1 : 0)
          .description("1 for the phase this member is in").tag("phase", phase.label()).register(registry);
    }
    Gauge.builder("fedmesh.ready", readiness, r -> r.ready() ? 1 : 0)
        .description("1 when joined, certificate valid and data loaded").register(registry);
    Cluster cluster = Cluster.get(system);
    Gauge.builder("fedmesh.cluster.members", cluster,
            c -> c.state().members().count(m -> m.status() == MemberStatus.up()))
        .description("Cluster members this member sees Up").register(registry);
    Gauge.builder("fedmesh.peers.unreachable", cluster, c -> c.state().getUnreachable().size())
        .description("Cluster members this member's failure detector finds unreachable").register(registry);
    TrafficCounters traffic = TrafficCounters.get(system);
    FunctionCounter.builder("fedmesh.artery.sent", traffic, TrafficCounters::bytesSent).baseUnit("bytes")
        .description("Artery envelopes sent, serialized, before TLS").register(registry);
    FunctionCounter.builder("fedmesh.artery.received", traffic, TrafficCounters::bytesReceived).baseUnit("bytes")
        .description("Artery envelopes received, serialized, after TLS").register(registry);
    FunctionCounter.builder("fedmesh.artery.messages.sent", traffic, TrafficCounters::messagesSent)
        .description("Artery messages sent").register(registry);
    FunctionCounter.builder("fedmesh.artery.messages.received", traffic, TrafficCounters::messagesReceived)
        .description("Artery messages received").register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }
}
