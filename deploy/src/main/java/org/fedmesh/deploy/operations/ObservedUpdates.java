package org.fedmesh.deploy.operations;

import java.time.Duration;
import org.fedmesh.node.round.ConsortiumScaling;
import org.fedmesh.node.round.LocalUpdates;

/**
 * A member's local training, unchanged, telling {@link MemberActivity} when each run starts and ends. Every method of
 * {@link LocalUpdates}, default ones included, must be forwarded ({@code ObservedUpdatesTest} checks it): a default
 * left behind would change what the member sends.
 */
public final class ObservedUpdates implements LocalUpdates {
  private final LocalUpdates inner;
  private final MemberActivity activity;

  public ObservedUpdates(LocalUpdates inner, MemberActivity activity) {
    this.inner = inner;
    this.activity = activity;
  }

  @Override
  public int parameterCount() {
    return inner.parameterCount();
  }

  @Override
  public float[] initialParameters() {
    return inner.initialParameters();
  }

  @Override
  public int evaluationSlots() {
    return inner.evaluationSlots();
  }

  @Override
  public ConsortiumScaling consortiumScaling() {
    return inner.consortiumScaling();
  }

  @Override
  public LocalUpdate train(float[] globalParameters, long round) {
    activity.trainingStarted(round);
    long start = System.nanoTime();
    boolean failed = true;
    try {
      LocalUpdate update = inner.train(globalParameters, round);
      failed = false;
      return update;
    } finally {
      activity.trainingEnded(round, Duration.ofNanos(System.nanoTime() - start), failed);
    }
  }
}
