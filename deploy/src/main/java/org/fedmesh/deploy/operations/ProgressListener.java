package org.fedmesh.deploy.operations;

import org.fedmesh.node.round.AbortReason;
import org.fedmesh.protocols.AttemptId;

/** What a {@link MemberActivity} tells a progress display; called under its lock, so every method returns at once. */
public interface ProgressListener {
  /** {@code phase}: training, summing or committing. */
  void entered(String nodeId, long round, MemberActivity.Phase phase);

  void committed(String nodeId, long round);

  void abandoned(String nodeId, AttemptId attempt, AbortReason kind, String reason);

  ProgressListener NONE = new ProgressListener() {
    @Override
    public void entered(String nodeId, long round, MemberActivity.Phase phase) {}

    @Override
    public void committed(String nodeId, long round) {}

    @Override
    public void abandoned(String nodeId, AttemptId attempt, AbortReason kind, String reason) {}
  };
}
