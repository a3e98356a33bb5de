package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.fedmesh.protocols.AttemptId;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class GuardedListenerTest {

  /** Throws on every event, as a broken progress display might. */
  private static final class Throwing implements CommitListener {
    final List<String> calls = new ArrayList<>();

    @Override
    public void committed(String nodeId, ModelState model, double meanTrainingLoss) {
      calls.add("committed");
      throw new IllegalStateException("listener bug");
    }

    @Override
    public void attemptStarted(String nodeId, AttemptId attempt, int participants, boolean training) {
      calls.add("attemptStarted");
      throw new IllegalStateException("observer bug");
    }

    @Override
    public void resultSigned(String nodeId, AttemptId attempt, long aggregationNanos) {
      calls.add("resultSigned");
      throw new IllegalStateException("observer bug");
    }

    @Override
    public void attemptAborted(String nodeId, AttemptId attempt, AbortReason kind, String reason) {
      calls.add("attemptAborted");
      throw new IllegalStateException("observer bug");
    }

    @Override
    public void checkpointWritten(String nodeId, long round, Duration took) {
      calls.add("checkpointWritten");
      throw new IllegalStateException("observer bug");
    }
  }

  @Test
  void observerEvents_thatThrow_areReachedButNeverThrown() {
    Throwing inner = new Throwing();
    CommitListener guarded = GuardedListener.of(inner, LoggerFactory.getLogger(GuardedListenerTest.class));
    AttemptId id = AttemptId.fresh(1, 1, new SecureRandom());
    guarded.attemptStarted("a", id, 3, true);
    guarded.resultSigned("a", id, 5);
    guarded.attemptAborted("a", id, AbortReason.DEADLINE, "missed the deadline");
    guarded.checkpointWritten("a", 1, Duration.ofMillis(3));
    assertEquals(List.of("attemptStarted", "resultSigned", "attemptAborted", "checkpointWritten"), inner.calls);
    // Commits behave as before observers existed: what the listener throws still reaches the participant.
    assertThrows(IllegalStateException.class,
        () -> guarded.committed("a", ModelState.of(1, new float[1], new float[0]), 0.5));
  }

  @Test
  void everyListenerMethod_isForwarded() {
    for (Method m : CommitListener.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      try {
        Method own = GuardedListener.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
        assertTrue(Modifier.isPublic(own.getModifiers()), own.toString());
      } catch (NoSuchMethodException e) {
        throw new AssertionError("GuardedListener does not forward " + m, e);
      }
    }
  }
}
