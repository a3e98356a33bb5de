package org.fedmesh.deploy;

import org.fedmesh.deploy.cli.FedmeshCommand;
import org.fedmesh.node.NodeSettings;
import org.fedmesh.node.data.DataFormatException;
import picocli.CommandLine;

/** Entry point of {@code fedmesh.jar}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    boolean printsOwnProgress = args.length > 0 && (args[0].equals("demo") || args[0].equals("bench"));
    if (printsOwnProgress && System.getProperty("FEDMESH_LOG_LEVEL") == null && System.getenv("FEDMESH_LOG_LEVEL") == null) {
      System.setProperty("FEDMESH_LOG_LEVEL", "WARN"); // keep the progress table readable; warnings still show
    }
    if (NewestJdk.shouldRelaunch(args)) {
      System.exit(NewestJdk.relaunch(Main.class, args));
    }
    System.exit(commandLine().execute(args));
  }

  /** The command line with errors a user can act on printed as one clear message, not a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new FedmeshCommand());
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof NodeSettings.InvalidSettingsException || e instanceof DataFormatException
          || e instanceof IllegalArgumentException || e instanceof java.io.IOException) {
        line.getErr().println("fedmesh: " + e.getMessage());
      } else {
        e.printStackTrace(line.getErr());
      }
      return 1;
    });
    return cl;
  }
}
