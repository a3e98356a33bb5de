package org.fedmesh.node.round;

/** A trained update and when it was at hand: the start of a member's aggregation time in an attempt session. */
record UpdateAt(LocalUpdates.LocalUpdate update, long nanos) {
  static UpdateAt now(LocalUpdates.LocalUpdate update) {
    return new UpdateAt(update, System.nanoTime());
  }
}
