package org.fedmesh.deploy.operations;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.fedmesh.mpc.DecodedSum;
import org.fedmesh.node.round.AbortReason;
import org.fedmesh.node.round.CommitListener;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.node.round.SecureEvaluation;
import org.fedmesh.protocols.AttemptId;

/**
 * Several commit listeners as one: every call, round events included, goes to each listener that
 * {@code targets} names for the calling member, in order. Every method of {@link CommitListener} is forwarded
 * ({@code ListenerChainTest} checks it): one left to its default would cut the listeners behind it off.
 */
public final class ListenerChain implements CommitListener {
  private final Function<String, List<CommitListener>> targets;

  private ListenerChain(Function<String, List<CommitListener>> targets) {
    this.targets = targets;
  }

  /** Each call to {@code first}, then to {@code then}. */
  public static CommitListener inOrder(CommitListener first, CommitListener then) {
    List<CommitListener> both = List.of(first, then);
    return new ListenerChain(node -> both);
  }

  /** Each member's calls to its own listener (none for a member not in {@code listeners}). */
  public static CommitListener byMember(Map<String, ? extends CommitListener> listeners) {
    Map<String, CommitListener> copy = Map.copyOf(listeners);
    return new ListenerChain(node -> copy.containsKey(node) ? List.of(copy.get(node)) : List.of());
  }

  @Override
  public void committed(String nodeId, ModelState model, double meanTrainingLoss) {
    targets.apply(nodeId).forEach(l -> l.committed(nodeId, model, meanTrainingLoss));
  }

  @Override
  public void evaluated(String nodeId, SecureEvaluation evaluation) {
    targets.apply(nodeId).forEach(l -> l.evaluated(nodeId, evaluation));
  }

  @Override
  public void committed(String nodeId, ModelState model, DecodedSum sum) {
    targets.apply(nodeId).forEach(l -> l.committed(nodeId, model, sum));
  }

  @Override
  public void attemptStarted(String nodeId, AttemptId attempt, int participants, boolean training) {
    targets.apply(nodeId).forEach(l -> l.attemptStarted(nodeId, attempt, participants, training));
  }

  @Override
  public void resultSigned(String nodeId, AttemptId attempt, long aggregationNanos) {
    targets.apply(nodeId).forEach(l -> l.resultSigned(nodeId, attempt, aggregationNanos));
  }

  @Override
  public void attemptAborted(String nodeId, AttemptId attempt, AbortReason kind, String reason) {
    targets.apply(nodeId).forEach(l -> l.attemptAborted(nodeId, attempt, kind, reason));
  }

  @Override
  public void checkpointWritten(String nodeId, long round, Duration took) {
    targets.apply(nodeId).forEach(l -> l.checkpointWritten(nodeId, round, took));
  }
}
