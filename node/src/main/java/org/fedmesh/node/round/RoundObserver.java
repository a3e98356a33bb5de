package org.fedmesh.node.round;

import java.time.Duration;
import org.fedmesh.protocols.AttemptId;

/**
 * Told, read-only, how this member's part in each round goes, for progress displays and metrics. Every method does
 * nothing by default. The participant calls them on its own thread, in the order things happen, so an observer
 * must return at once; what it throws is logged and dropped ({@link GuardedListener}), never thrown into the actor.
 * Nothing here is sent anywhere: the events describe only this member's own steps.
 *
 * <p>A round on one member, as these events and {@link CommitListener#committed} tell it: {@link #attemptStarted}
 * (training, or straight to summing when the member reuses the update trained in an earlier attempt), then
 * {@link #resultSigned} (the sum is formed, unmasked, decoded and applied; the member signed the new model), then the
 * commit with {@link #checkpointWritten} just before it. An attempt that ends otherwise may be reported with
 * {@link #attemptAborted}; one that a later StartRound replaces is not reported at all (the next
 * {@link #attemptStarted} says so).
 */
public interface RoundObserver {

  /**
   * This member admitted {@code attempt} with {@code participants} members in its ring; {@code training} is false
   * when it reuses the update it trained for the round in an earlier attempt. Told before any training it starts.
   */
  default void attemptStarted(String nodeId, AttemptId attempt, int participants, boolean training) {}

  /**
   * The sum of {@code attempt} is decoded and applied and this member signed the result; {@code aggregationNanos}
   * run from its update being at hand to here.
   */
  default void resultSigned(String nodeId, AttemptId attempt, long aggregationNanos) {}

  /**
   * The coordinator told this member to abandon {@code attempt}, for {@code reason} (its words; {@code kind} is the
   * reason sorted into a few kinds). Also told for an attempt this member had already given up (its own failure).
   */
  default void attemptAborted(String nodeId, AttemptId attempt, AbortReason kind, String reason) {}

  /** The checkpoint of {@code round} is durable; {@code took}: writing, syncing and renaming it. */
  default void checkpointWritten(String nodeId, long round, Duration took) {}

  RoundObserver NONE = new RoundObserver() { };
}
