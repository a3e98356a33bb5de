package org.fedmesh.system;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.fedmesh.node.round.ConsortiumScaling;
import org.fedmesh.node.round.LocalUpdates;

/**
 * Real local training with hooks around one round: tests use it to crash or stall a member at a known point, and
 * to count how often each round was trained.
 */
final class GatedUpdates implements LocalUpdates {
  private final LocalUpdates training;
  private final long round;
  private final Runnable before;
  private final Runnable after;
  private long paceMillis;
  final CountDownLatch started = new CountDownLatch(1);
  /** Counted down by the first training of any round. */
  final CountDownLatch trainedOnce = new CountDownLatch(1);
  final Map<Long, AtomicInteger> trainings = new ConcurrentHashMap<>();

  GatedUpdates(LocalUpdates training, long round, Runnable before, Runnable after) {
    this.training = training;
    this.round = round;
    this.before = before;
    this.after = after;
  }

  static GatedUpdates counting(LocalUpdates training) {
    return new GatedUpdates(training, -1, () -> { }, () -> { });
  }

  /** Every round's training takes at least this long: rounds as slow as real ones, so joiners can keep up. */
  GatedUpdates paced(long millis) {
    this.paceMillis = millis;
    return this;
  }

  @Override
  public int parameterCount() {
    return training.parameterCount();
  }

  @Override
  public float[] initialParameters() {
    return training.initialParameters();
  }

  @Override
  public int evaluationSlots() {
    return training.evaluationSlots();
  }

  @Override
  public ConsortiumScaling consortiumScaling() {
    return training.consortiumScaling();
  }

  @Override
  public LocalUpdate train(float[] globalParameters, long r) {
    trainings.computeIfAbsent(r, k -> new AtomicInteger()).incrementAndGet();
    trainedOnce.countDown();
    if (r == round) {
      started.countDown();
      before.run();
    }
    LocalUpdate update = training.train(globalParameters, r);
    if (paceMillis > 0) {
      try {
        Thread.sleep(paceMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (r == round) {
      after.run();
    }
    return update;
  }

  LocalUpdates training() {
    return training;
  }

  int timesTrained(long r) {
    AtomicInteger n = trainings.get(r);
    return n == null ? 0 : n.get();
  }
}
