package org.fedmesh.node.round;

import java.time.Duration;
import org.fedmesh.mpc.DecodedSum;
import org.fedmesh.protocols.AttemptId;
import org.slf4j.Logger;

/**
 * A listener whose {@link RoundObserver} events cannot hurt the participant: what they throw is logged and dropped,
 * since an exception thrown into the actor would stop it for a progress bar's sake. Commits and evaluations pass
 * through unchanged, as before observers existed. Every method of {@link CommitListener} is forwarded
 * ({@code GuardedListenerTest} checks it): a default left behind would cut the events off.
 */
public final class GuardedListener implements CommitListener {
  private final CommitListener inner;
  private final Logger log;

  private GuardedListener(CommitListener inner, Logger log) {
    this.inner = inner;
    this.log = log;
  }

  public static CommitListener of(CommitListener listener, Logger log) {
    return listener instanceof GuardedListener ? listener : new GuardedListener(listener, log);
  }

  @Override
  public void committed(String nodeId, ModelState model, double meanTrainingLoss) {
    inner.committed(nodeId, model, meanTrainingLoss);
  }

  @Override
  public void evaluated(String nodeId, SecureEvaluation evaluation) {
    inner.evaluated(nodeId, evaluation);
  }

  @Override
  public void committed(String nodeId, ModelState model, DecodedSum sum) {
    inner.committed(nodeId, model, sum);
  }

  @Override
  public void attemptStarted(String nodeId, AttemptId attempt, int participants, boolean training) {
    guard("attemptStarted", () -> inner.attemptStarted(nodeId, attempt, participants, training));
  }

  @Override
  public void resultSigned(String nodeId, AttemptId attempt, long aggregationNanos) {
    guard("resultSigned", () -> inner.resultSigned(nodeId, attempt, aggregationNanos));
  }

  @Override
  public void attemptAborted(String nodeId, AttemptId attempt, AbortReason kind, String reason) {
    guard("attemptAborted", () -> inner.attemptAborted(nodeId, attempt, kind, reason));
  }

  @Override
  public void checkpointWritten(String nodeId, long round, Duration took) {
    guard("checkpointWritten", () -> inner.checkpointWritten(nodeId, round, took));
  }

  private void guard(String event, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException | LinkageError e) {
      log.warn("A round observer threw on {}; ignored: {}", event, e.toString());
    }
  }
}
