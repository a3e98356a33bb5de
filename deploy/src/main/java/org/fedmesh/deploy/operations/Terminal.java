package org.fedmesh.deploy.operations;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether this process writes to a person's terminal, which decides between a progress bar and plain lines. */
final class Terminal {
  private Terminal() {}

  static boolean attached() {
    Console console = System.console();
    if (console == null || "dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    // From JDK 22 on, System.console() answers even when the output is a file; Console.isTerminal() tells.
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // JDK 17 to 21: a console exists only when input and output are a terminal
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
