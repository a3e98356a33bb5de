package org.fedmesh.deploy.cli;

import picocli.CommandLine.Command;

/** {@code fedmesh}: the top-level command; each subcommand is one job. */
@Command(name = "fedmesh", mixinStandardHelpOptions = true, version = "fedmesh 0.1.0",
    description = "Federated learning for a consortium without a trusted central party.",
    subcommands = {DemoCommand.class, RunCommand.class, CaCommand.class, CertCommand.class, DataCommand.class,
        BenchCommand.class, AuditCommand.class, PrivacyCommand.class, StatusCommand.class,
        ExportCommand.class, PredictCommand.class})
public final class FedmeshCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
