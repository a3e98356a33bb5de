package org.fedmesh.deploy.cli;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.fedmesh.mpc.pki.Certificates;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.IssuedCertificates;
import org.fedmesh.mpc.pki.RevocationList;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fedmesh ca init | revoke}: the consortium's certificate authority. */
@Command(name = "ca", description = "The consortium certificate authority.",
    subcommands = {CaCommand.Init.class, CaCommand.Revoke.class})
public final class CaCommand {

  /** One line per revocation, with the free-text reason the CRL itself cannot carry. */
  static final String REVOCATION_LOG = "revocations.log";

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = "Make a consortium CA: writes ca.crt (share it with every member), ca.key (keep it offline)"
          + " and an empty revocation list revoked.crl (members may point fedmesh.identity.revocation-list at a"
          + " copy of it).")
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
      ca.emptyRevocationList().save(out.resolve(RevocationList.FILE));
      System.out.println("Consortium CA '" + name + "' written to " + out.toAbsolutePath() + " ("
          + ConsortiumCa.CERTIFICATE_FILE + ", " + ConsortiumCa.KEY_FILE + ", " + RevocationList.FILE + ")");
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke member certificates: adds them to the CA's signed revocation list revoked.crl (created"
          + " if missing). Copy it to every member's fedmesh.identity.revocation-list; members reload it without a"
          + " restart, refuse the revoked certificates' connections and down a member holding one.")
  static final class Revoke implements Callable<Integer> {
    @Option(names = "--ca", required = true, description = "Directory holding ca.crt and ca.key.")
    Path caDir;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Option(names = "--reason", defaultValue = "unspecified",
        description = "Why, in words; 'key compromise', 'affiliation changed', 'superseded', 'cessation of operation'"
            + " or 'privilege withdrawn' also set the CRL's reason code (default: ${DEFAULT-VALUE}).")
    String reason;

    static final class Which {
      @Option(names = "--node", description = "Revoke every certificate this CA issued to this node id"
          + " (as recorded in the CA directory's issued/ folder).")
      String node;

      @Option(names = "--serial", description = "Revoke the certificate with this serial (hexadecimal, as"
          + " 'openssl x509 -serial' prints it).")
      String serial;
    }

    @Override
    public Integer call() throws Exception {
      ConsortiumCa ca = ConsortiumCa.load(caDir);
      List<BigInteger> serials = new ArrayList<>();
      String who;
      if (which.node != null) {
        List<X509Certificate> issued = IssuedCertificates.ofNode(caDir, which.node);
        if (issued.isEmpty()) {
          throw new IllegalArgumentException("no certificate for '" + which.node + "' is recorded in "
              + caDir.resolve(IssuedCertificates.DIR) + " (certificates issued before the record was kept are"
              + " not there): revoke it with --serial");
        }
        issued.forEach(c -> serials.add(c.getSerialNumber()));
        who = "'" + which.node + "' (serial " + String.join(", ",
            serials.stream().map(IssuedCertificates::serialHex).toList()) + ")";
      } else {
        serials.add(IssuedCertificates.parseSerial(which.serial));
        who = "serial " + IssuedCertificates.serialHex(serials.get(0));
      }
      Path file = caDir.resolve(RevocationList.FILE);
      RevocationList previous = Files.exists(file) ? RevocationList.load(file, ca.certificate()) : null;
      RevocationList next = ca.revoke(previous, serials, ConsortiumCa.reasonCode(reason));
      next.save(file);
      appendLog(serials, reason);
      System.out.println("Revoked " + who + ": " + file.toAbsolutePath()
          + " is list number " + next.number() + " with " + next.size() + " revoked certificate(s); copy it to"
          + " every member's fedmesh.identity.revocation-list");
      return 0;
    }

    private void appendLog(List<BigInteger> serials, String text) throws IOException {
      StringBuilder lines = new StringBuilder();
      for (BigInteger serial : serials) {
        String node = IssuedCertificates.bySerial(caDir, serial).flatMap(Certificates::commonName).orElse("?");
        lines.append(Instant.now()).append('\t').append(IssuedCertificates.serialHex(serial)).append('\t')
            .append(node).append('\t').append(text.replaceAll("[\\r\\n\\t]", " ")).append('\n');
      }
      Files.writeString(caDir.resolve(REVOCATION_LOG), lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }
}
