package org.fedmesh.deploy.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.IssuedCertificates;
import org.fedmesh.mpc.pki.MemberIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fedmesh cert issue}: a member's key and certificate, signed by the consortium CA. */
@Command(name = "cert", description = "Member certificates.", subcommands = CertCommand.Issue.class)
public final class CertCommand {

  @Command(name = "issue", mixinStandardHelpOptions = true,
      description = "Issue a member key and certificate: writes node.key, node.crt and a copy of ca.crt.")
  static final class Issue implements Callable<Integer> {
    @Option(names = "--ca", required = true, description = "Directory holding ca.crt and ca.key.")
    Path caDir;

    @Option(names = "--node", required = true, description = "The member's node id (the certificate's CN).")
    String node;

    @Option(names = "--host", description = "Host name or IP address the member is reached at (repeatable).")
    List<String> hosts = List.of();

    @Option(names = "--out", required = true, description = "Directory to write the member's files into.")
    Path out;

    @Option(names = "--days", defaultValue = "825", description = "Validity in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws Exception {
      ConsortiumCa ca = ConsortiumCa.load(caDir);
      MemberIdentity identity = ca.issue(node, hosts, Duration.ofDays(days));
      identity.save(out);
      IssuedCertificates.record(caDir, identity.certificate()); // so that `ca revoke --node` finds it
      System.out.println("Member '" + node + "' of consortium '" + ca.consortiumName() + "' written to "
          + out.toAbsolutePath() + " (" + MemberIdentity.KEY_FILE + ", " + MemberIdentity.CERTIFICATE_FILE + ", "
          + MemberIdentity.CA_FILE + "); serial " + IssuedCertificates.serialHex(identity.certificate().getSerialNumber())
          + ", expires " + identity.certificate().getNotAfter().toInstant());
      return 0;
    }
  }
}
