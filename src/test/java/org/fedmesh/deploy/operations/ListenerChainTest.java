package org.fedmesh.deploy.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.fedmesh.node.round.CommitListener;
import org.junit.jupiter.api.Test;

/** A method of {@link CommitListener} the chain does not forward would cut every listener behind it off. */
class ListenerChainTest {
  @Test
  void listenerChain_overridesEveryMethodOfCommitListener() throws Exception {
    for (Method m : CommitListener.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Method own = ListenerChain.class.getMethod(m.getName(), m.getParameterTypes());
      assertEquals(ListenerChain.class, own.getDeclaringClass(), m + " is not forwarded");
    }
  }
}
