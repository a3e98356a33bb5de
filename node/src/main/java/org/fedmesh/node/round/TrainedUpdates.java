package org.fedmesh.node.round;

import java.util.Optional;
import org.fedmesh.protocols.AttemptId;

/**
 * The update this member trained for the next round, kept across attempts: a retry with the survivors reuses it
 * (one more all-reduce, not another training). Keyed by round and base model hash, so it never outlives its base.
 */
final class TrainedUpdates {
  private record Key(long round, String baseHash) {}

  private Optional<Key> training = Optional.empty();
  private Optional<Key> cachedFor = Optional.empty();
  private LocalUpdates.LocalUpdate cached;
  /** The attempt whose reveal already cost its round the update it used. */
  private AttemptId spent;

  /** The update trained from {@code baseHash} for {@code round}, if there is one. */
  Optional<LocalUpdates.LocalUpdate> reusable(long round, String baseHash) {
    return cachedFor.filter(k -> k.equals(new Key(round, baseHash))).map(k -> cached);
  }

  /** Whether training for {@code round} from {@code baseHash} is running now (a retry must not start another). */
  boolean isTraining(long round, String baseHash) {
    return training.equals(Optional.of(new Key(round, baseHash)));
  }

  void started(long round, String baseHash) {
    training = Optional.of(new Key(round, baseHash));
  }

  void finished(long round, String baseHash, LocalUpdates.LocalUpdate update) {
    training = Optional.empty();
    cachedFor = Optional.of(new Key(round, baseHash));
    cached = update;
  }

  /** The training that ran has ended, whatever became of it. */
  void stopped() {
    training = Optional.empty();
  }

  /** Forgets the cached update: it was committed, or part of an abandoned sum over it is known. */
  void discard() {
    cachedFor = Optional.empty();
    cached = null;
  }

  /**
   * Forgets the cached update when the sum of {@code revealed}, an attempt of {@code round} that used it, may be
   * known (this member or a peer revealed a self-mask seed in it; each such attempt once: the update trained after
   * it is fresh); true when it did. The same update in
   * another attempt over fewer members would let the two sums be differenced.
   */
  boolean spentBy(AttemptId revealed, long round) {
    if (revealed == null || revealed.round() != round || revealed.equals(spent)) {
      return false;
    }
    spent = revealed;
    discard();
    return true;
  }
}
