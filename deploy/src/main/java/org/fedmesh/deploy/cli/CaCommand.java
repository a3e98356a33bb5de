package org.fedmesh.deploy.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.fedmesh.mpc.pki.ConsortiumCa;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fedmesh ca init}: makes the consortium's certificate authority. */
@Command(name = "ca", description = "The consortium certificate authority.", subcommands = CaCommand.Init.class)
public final class CaCommand {

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Make a consortium CA: writes ca.crt (share it with every member) and ca.key (keep it offline).")
  static final class Init implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Directory to write ca.crt and ca.key into.")
    Path out;

    @Option(names = "--name", defaultValue = "fedmesh", description = "Consortium name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--days", defaultValue = "3650", description = "Validity in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws Exception {
      ConsortiumCa ca = ConsortiumCa.create(name, Duration.ofDays(days));
      ca.save(out);
      System.out.println("Consortium CA '" + name + "' written to " + out.toAbsolutePath() + " ("
          + ConsortiumCa.CERTIFICATE_FILE + ", " + ConsortiumCa.KEY_FILE + ")");
      return 0;
    }
  }
}
