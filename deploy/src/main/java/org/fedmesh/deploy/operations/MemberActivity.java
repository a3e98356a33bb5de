package org.fedmesh.deploy.operations;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.node.round.SecureEvaluation;

/**
 * What one member is doing, learnt only by listening: local training starts and ends ({@link ObservedUpdates}),
 * commits and catch-ups ({@link CommitListener}) and the local evaluation of each committed model. The round logic
 * is not touched; this is a read-only view for the operations endpoint, with the counters and timers it exports.
 *
 * <p>Phases as seen from here: {@code waiting} (no round in progress on this member), {@code training} (local
 * training for a round), {@code aggregating} (trained; masking, summing, signing and waiting for the commit; a
 * retry that reuses the update stays in it).
 */
public final class MemberActivity implements CommitListener {

  /** A member's phase as the operations endpoint reports it. */
  public enum Phase {
    WAITING, TRAINING, AGGREGATING;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One consistent view; {@code evaluation} is NaN until a committed model was evaluated locally, and
   * {@code consortiumAccuracy} until a commit carried the secure evaluation (every member's held-out rows).
   */
  public record Snapshot(String nodeId, long committedRound, String committedHash, Instant committedAt,
                         Phase phase, long phaseRound, Instant phaseSince, double lastTrainingLoss,
                         long evaluatedRound, String evaluationMetric, double evaluation,
                         long consortiumEvaluatedRound, double consortiumAccuracy) {}

  private final String nodeId;
  private final Counter commits;
  private final Counter catchUps;
  private final Counter trainingFailures;
  private final Timer roundDuration;
  private final Timer trainingDuration;

  private long committedRound;
  private String committedHash = "";
  private Instant committedAt;
  private Phase phase = Phase.WAITING;
  private long phaseRound;
  private Instant phaseSince = Instant.now();
  private double lastTrainingLoss = Double.NaN;
  private long evaluatedRound;
  private String evaluationMetric = "accuracy";
  private double evaluation = Double.NaN;
  private long consortiumEvaluatedRound;
  private double consortiumAccuracy = Double.NaN;
  /** When this member first started training for {@link #roundStartedFor}: a round's duration runs from there. */
  private long roundStartedNanos;
  private long roundStartedFor = -1;

  /** {@code round} and {@code hash}: the model the member starts from (its journal's last entry, or round 0). */
  public MemberActivity(String nodeId, long round, String hash, MeterRegistry registry) {
    this.nodeId = nodeId;
    this.committedRound = round;
    this.committedHash = hash;
    this.commits = Counter.builder("fedmesh.rounds.committed")
        .description("Rounds this member committed (with a commit certificate)").register(registry);
    this.catchUps = Counter.builder("fedmesh.catch.ups")
        .description("Models this member adopted by catching up from a peer").register(registry);
    this.trainingFailures = Counter.builder("fedmesh.training.failures")
        .description("Local training runs that threw (diverged or failed)").register(registry);
    this.roundDuration = Timer.builder("fedmesh.round.duration")
        .description("From this member's first training start for a round to its commit of that round")
        .register(registry);
    this.trainingDuration = Timer.builder("fedmesh.training.duration")
        .description("One local training run").register(registry);
  }

  synchronized void trainingStarted(long round) {
    if (round != roundStartedFor) {
      roundStartedFor = round;
      roundStartedNanos = System.nanoTime();
    }
    enter(Phase.TRAINING, round);
  }

  synchronized void trainingEnded(long round, Duration took, boolean failed) {
    trainingDuration.record(took);
    if (failed) {
      trainingFailures.increment();
      enter(Phase.WAITING, round);
    } else if (phase == Phase.TRAINING && phaseRound == round) {
      enter(Phase.AGGREGATING, round);
    }
  }

  @Override
  public synchronized void committed(String node, ModelState model, double meanTrainingLoss) {
    boolean catchUp = Double.isNaN(meanTrainingLoss); // the participant reports a catch-up with a NaN loss
    if (catchUp) {
      catchUps.increment();
    } else {
      commits.increment();
      lastTrainingLoss = meanTrainingLoss;
      if (roundStartedFor == model.round()) {
        roundDuration.record(Duration.ofNanos(System.nanoTime() - roundStartedNanos));
      }
    }
    committedRound = model.round();
    committedHash = model.hash();
    committedAt = Instant.now();
    enter(Phase.WAITING, model.round());
  }

  /** The member's evaluation of a committed model on its own held-out rows. */
  public synchronized void evaluated(long round, String metric, double value) {
    if (round >= evaluatedRound) {
      evaluatedRound = round;
      evaluationMetric = metric;
      evaluation = value;
    }
  }

  /** The secure evaluation a commit carried: a model's accuracy on every member's held-out rows together. */
  @Override
  public synchronized void evaluated(String node, SecureEvaluation secure) {
    if (secure.modelRound() >= consortiumEvaluatedRound && secure.totalRows() > 0) {
      consortiumEvaluatedRound = secure.modelRound();
      consortiumAccuracy = secure.accuracy();
    }
  }

  public synchronized Snapshot snapshot() {
    return new Snapshot(nodeId, committedRound, committedHash, committedAt, phase, phaseRound, phaseSince,
        lastTrainingLoss, evaluatedRound, evaluationMetric, evaluation, consortiumEvaluatedRound, consortiumAccuracy);
  }

  private void enter(Phase next, long round) {
    if (next != phase || round != phaseRound) {
      phase = next;
      phaseRound = round;
      phaseSince = Instant.now();
    }
  }
}
