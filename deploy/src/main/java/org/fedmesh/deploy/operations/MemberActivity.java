package org.fedmesh.deploy.operations;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.fedmesh.node.round.AbortReason;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.node.round.SecureEvaluation;
import org.fedmesh.protocols.AttemptId;

/**
 * What one member is doing, learnt only by listening: local training starts and ends ({@link ObservedUpdates}),
 * the participant's round events and commits ({@link CommitListener}, a {@code RoundObserver}) and the local
 * evaluation of each committed model. The round logic is not touched; this is a read-only view for the operations
 * endpoint and the progress display, with the counters and timers it exports.
 *
 * <p>Phases as seen from here: {@code waiting} (no attempt in progress on this member), {@code training} (local
 * training for a round), {@code summing} (the update is at hand: masking, waiting for peers, the ring all-reduce,
 * unmasking, decoding), {@code committing} (the result is signed: waiting for the commit certificate and writing
 * the checkpoint). A retry that reuses the update goes straight to summing.
 */
public final class MemberActivity implements CommitListener {

  /** A member's phase as the operations endpoint reports it. */
  public enum Phase {
    WAITING, TRAINING, SUMMING, COMMITTING;

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
  /** How long each phase of an attempt lasted, recorded when the attempt moves on to the next phase. */
  private final Map<Phase, Timer> phaseDuration = new EnumMap<>(Phase.class);
  private final Map<AbortReason, Counter> aborted = new EnumMap<>(AbortReason.class);
  private final Counter attemptsStarted;
  private final Timer checkpointWrite;
  private volatile ProgressListener progress = ProgressListener.NONE;

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
  /** The attempt this member started last and that has neither committed nor been abandoned; null when none. */
  private AttemptId openAttempt;

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
    for (Phase p : new Phase[] {Phase.TRAINING, Phase.SUMMING, Phase.COMMITTING}) {
      phaseDuration.put(p, Timer.builder("fedmesh.round.phase.duration").tag("phase", p.label())
          .description("One phase of an attempt on this member, counted when the attempt moved on to the next")
          .register(registry));
    }
    // Every reason from the start, at zero: a rate over a counter that appears only at its first increment is lost.
    for (AbortReason reason : AbortReason.values()) {
      aborted.put(reason, Counter.builder("fedmesh.attempts.aborted").tag("reason", reason.label())
          .description("Attempts this member took part in that ended without a commit, by reason")
          .register(registry));
    }
    this.attemptsStarted = Counter.builder("fedmesh.attempts.started")
        .description("Attempts this member admitted and started").register(registry);
    this.checkpointWrite = Timer.builder("fedmesh.checkpoint.write.duration")
        .description("Writing, syncing and renaming one checkpoint (commit or catch-up)").register(registry);
  }

  /** Who is told of this member's steps (a progress display); called under this object's lock: return quickly. */
  public void progress(ProgressListener listener) {
    this.progress = listener;
  }

  synchronized void trainingStarted(long round) {
    roundStarts(round);
    enter(Phase.TRAINING, round);
  }

  synchronized void trainingEnded(long round, Duration took, boolean failed) {
    trainingDuration.record(took);
    if (failed) {
      trainingFailures.increment();
      enter(Phase.WAITING, round);
    } else if (phase == Phase.TRAINING && phaseRound == round) {
      enter(Phase.SUMMING, round);
    }
  }

  @Override
  public synchronized void attemptStarted(String node, AttemptId attempt, int participants, boolean training) {
    if (openAttempt != null && !openAttempt.equals(attempt)) {
      abandon(openAttempt, AbortReason.SUPERSEDED, "a new attempt started: " + attempt);
    }
    openAttempt = attempt;
    attemptsStarted.increment();
    roundStarts(attempt.round());
    // Training may already run (started for an earlier attempt of the round); its end moves the phase on.
    enter(training ? Phase.TRAINING : Phase.SUMMING, attempt.round());
  }

  @Override
  public synchronized void resultSigned(String node, AttemptId attempt, long aggregationNanos) {
    if (attempt.equals(openAttempt)) {
      enter(Phase.COMMITTING, attempt.round());
    }
  }

  @Override
  public synchronized void attemptAborted(String node, AttemptId attempt, AbortReason kind, String reason) {
    if (attempt.equals(openAttempt)) { // the coordinator tells every member; an attempt counts once
      abandon(attempt, kind, reason);
    }
  }

  @Override
  public synchronized void checkpointWritten(String node, long round, Duration took) {
    checkpointWrite.record(took);
  }

  @Override
  public synchronized void committed(String node, ModelState model, double meanTrainingLoss) {
    boolean catchUp = Double.isNaN(meanTrainingLoss); // the participant reports a catch-up with a NaN loss
    if (openAttempt != null && openAttempt.round() <= model.round()) {
      openAttempt = null; // committed, or overtaken by a catch-up: either way not abandoned
    }
    if (catchUp) {
      catchUps.increment();
    } else {
      commits.increment();
      lastTrainingLoss = meanTrainingLoss;
      if (roundStartedFor == model.round()) {
        roundDuration.record(Duration.ofNanos(System.nanoTime() - roundStartedNanos));
      }
      if (phase == Phase.COMMITTING && phaseRound == model.round()) {
        recordPhase();
      }
    }
    committedRound = model.round();
    committedHash = model.hash();
    committedAt = Instant.now();
    enter(Phase.WAITING, model.round());
    progress.committed(nodeId, model.round());
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

  private void recordPhase() {
    Timer timer = phaseDuration.get(phase);
    if (timer != null) {
      timer.record(Duration.between(phaseSince, Instant.now()));
    }
  }

  private void roundStarts(long round) {
    if (round != roundStartedFor) {
      roundStartedFor = round;
      roundStartedNanos = System.nanoTime();
    }
  }

  private void abandon(AttemptId attempt, AbortReason kind, String reason) {
    aborted.get(kind).increment();
    openAttempt = null;
    enter(Phase.WAITING, phaseRound);
    progress.abandoned(nodeId, attempt, kind, reason);
  }

  private void enter(Phase next, long round) {
    if (next != phase || round != phaseRound) {
      if (round == phaseRound && next.ordinal() == phase.ordinal() + 1) { // training -> summing -> committing
        recordPhase();
      }
      phase = next;
      phaseRound = round;
      phaseSince = Instant.now();
      if (next != Phase.WAITING) {
        progress.entered(nodeId, round, next);
      }
    }
  }
}
