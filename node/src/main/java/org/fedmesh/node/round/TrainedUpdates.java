package org.fedmesh.node.round;

import java.util.Optional;

/**
 * The update this member trained for the next round, kept across attempts: a retry with the survivors reuses it
 * (one more all-reduce, not another training). Keyed by round and base model hash, so it never outlives its base.
 */
final class TrainedUpdates {
  private record Key(long round, String baseHash) {}

  private Optional<Key> training = Optional.empty();
  private Optional<Key> cachedFor = Optional.empty();
  private LocalUpdates.LocalUpdate cached;

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
}
