package org.fedmesh.deploy.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.fedmesh.mpc.pki.Certificates;
import org.fedmesh.node.checkpoint.JournalAudit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fedmesh audit}: verifies a member's history of adopted models offline, from its checkpoint directory. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = {"Verify a member's history offline: every entry of CHECKPOINT_DIR/commits.jsonl carries a commit"
        + " certificate that verifies against the CA and is signed by a majority of the consortium, rounds increase,"
        + " every commit chains from the model of the entry before it, and the checkpoint holds the last entry's"
        + " model. Prints the history; exits 0 when all holds, 1 naming the first broken entry otherwise.",
        "Certificates are checked as of the time each entry was written."})
public final class AuditCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CHECKPOINT_DIR", description = "The member's fedmesh.checkpoint-dir.")
  Path dir;

  @Option(names = "--ca", required = true, paramLabel = "CA.crt", description = "The consortium CA certificate (PEM).")
  Path caFile;

  @Option(names = "--members", paramLabel = "N", description = "The consortium's number of members, which every"
      + " certificate needs a majority of (default: the number of distinct signers in the journal).")
  Integer members;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    X509Certificate ca;
    try (InputStream in = Files.newInputStream(caFile)) {
      ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    if (members != null && members < 1) {
      throw new IllegalArgumentException("--members must be at least 1, got " + members);
    }
    JournalAudit.Report report = JournalAudit.audit(dir, ca,
        members == null ? OptionalInt.empty() : OptionalInt.of(members));
    PrintWriter out = spec.commandLine().getOut();
    out.printf("History of %s against CA '%s'; majority of %d members (%s)%n", dir.resolve("commits.jsonl"),
        Certificates.describe(ca), report.consortiumMembers(), report.membersFrom());
    out.printf("%5s  %6s  %-12s  %-8s  %s%n", "line", "round", "hash", "source", "signers");
    for (JournalAudit.Row row : report.rows()) {
      out.printf("%5d  %6d  %-12s  %-8s  %s%n", row.line(), row.round(), JournalAudit.abbreviate(row.hash()),
          row.source(), String.join(", ", row.signers())
              + (row.attesters().isEmpty() ? "" : " (attested, lost before signing: " + String.join(", ",
              row.attesters()) + ")"));
    }
    out.flush();
    if (report.failure().isPresent()) {
      spec.commandLine().getErr().println("BROKEN: " + report.failure().get());
      spec.commandLine().getErr().flush();
      return 1;
    }
    JournalAudit.Row last = report.rows().get(report.rows().size() - 1);
    out.printf("OK: %d entries; every certificate verifies, every commit chains, the checkpoint holds round %d%n",
        report.rows().size(), last.round());
    out.flush();
    return 0;
  }
}
