package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.fedmesh.deploy.operations.ObservedUpdates;
import org.fedmesh.node.round.LocalUpdates;
import org.junit.jupiter.api.Test;

/**
 * The operations layer wraps a member's training; a method of {@link LocalUpdates} it does not forward (a default
 * added later) would silently change the member's updates, as a missing {@code evaluationSlots} once did.
 */
class ObservedUpdatesTest {
  @Test
  void observedUpdates_overridesEveryMethodOfLocalUpdates() throws Exception {
    for (Method m : LocalUpdates.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Method own = ObservedUpdates.class.getMethod(m.getName(), m.getParameterTypes());
      assertEquals(ObservedUpdates.class, own.getDeclaringClass(), m + " is not forwarded");
    }
  }
}
