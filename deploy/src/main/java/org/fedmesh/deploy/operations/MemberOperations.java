package org.fedmesh.deploy.operations;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.privacy.DpGuarantee;
import org.fedmesh.node.privacy.DpSettings;
import org.fedmesh.node.round.LocalUpdates;
import java.util.function.Supplier;

/**
 * The operations side of one member, wired around it without touching its round logic: its training and commit
 * listener are wrapped to feed a {@link MemberActivity}, Artery counts its traffic ({@link TrafficInstrument}), and
 * once the member runs, {@link #serve} opens the read-only endpoint. Without {@link #serve} (the demo) it still keeps
 * the activity a progress display follows.
 */
public final class MemberOperations {
  private static final String INSTRUMENTS = "pekko.remote.artery.advanced.instruments";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MemberActivity activity;
  private final Optional<Path> journal;
  private Optional<Privacy> privacy = Optional.empty();

  /** {@code checkpointDir}: where the member's journal is (its last line gives the round it starts from). */
  public MemberOperations(String nodeId, Optional<Path> checkpointDir) {
    registry.config().commonTags("node_id", nodeId);
    this.journal = checkpointDir.map(d -> d.resolve("commits.jsonl"));
    Optional<JournalTail.Last> last = journal.flatMap(JournalTail::read);
    this.activity = new MemberActivity(nodeId, last.map(JournalTail.Last::round).orElse(0L),
        last.map(JournalTail.Last::hash).orElse(""), registry);
  }

  public MemberActivity activity() {
    return activity;
  }

  /** The member's local training, observed. */
  public LocalUpdates observe(LocalUpdates training) {
    return new ObservedUpdates(training, activity);
  }

  /**
   * A commit listener that records commits, secure evaluations and round events here first, then tells
   * {@code next}.
   */
  public CommitListener listener(CommitListener next) {
    return ListenerChain.inOrder(activity, next);
  }

  /** Privacy spent so far, for members that train with differential privacy (shown in /status and /metrics). */
  public void privacy(Supplier<DpGuarantee> spent, DpSettings settings) {
    this.privacy = Optional.of(new Privacy(spent, settings));
  }

  record Privacy(Supplier<DpGuarantee> spent, DpSettings settings) {}

  /** {@code config} with the traffic instrument added to Artery's instruments. */
  public static Config instrumented(Config config) {
    List<String> instruments = new ArrayList<>(config.hasPath(INSTRUMENTS) ? config.getStringList(INSTRUMENTS)
        : List.of());
    if (!instruments.contains(TrafficInstrument.class.getName())) {
      instruments.add(TrafficInstrument.class.getName());
    }
    return ConfigFactory.empty().withValue(INSTRUMENTS, ConfigValueFactory.fromIterable(instruments))
        .withFallback(config);
  }

  /** Opens the endpoint for the running member; it closes itself when the member's actor system terminates. */
  public OperationsEndpoint serve(OperationsSettings settings, ActorSystem<?> system, MemberIdentity identity,
                                  Optional<Path> revocationList, int trainingRows) throws IOException {
    Readiness readiness = new Readiness(system, identity, revocationList, trainingRows);
    ClusterMetrics.register(registry, system, activity, readiness, privacy);
    StatusReport status = new StatusReport(system, activity, readiness, journal, privacy);
    return OperationsEndpoint.start(settings.host(), settings.port(), system, status, readiness, registry);
  }
}
