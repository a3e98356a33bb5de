package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import org.fedmesh.deploy.Main;
import picocli.CommandLine;

/** Runs {@code fedmesh audit} as a user would, on the command line's own output streams. */
final class Audits {
  record Outcome(int exit, String out, String err) {}

  private Audits() {}

  /** Writes {@code ca} as PEM to {@code file}, the form {@code --ca} takes. */
  static Path writePem(X509Certificate ca, Path file) throws IOException, CertificateEncodingException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(ca.getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    return file;
  }

  static Outcome audit(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 1];
    all[0] = "audit";
    System.arraycopy(args, 0, all, 1, args.length);
    int exit = cl.execute(all);
    return new Outcome(exit, out.toString(), err.toString());
  }

  /** Audits a member's checkpoint directory and fails the test, with the audit's output, unless it passes. */
  static void assertPasses(Path checkpointDir, Path caPem) {
    Outcome o = audit(checkpointDir.toString(), "--ca", caPem.toString());
    assertEquals(0, o.exit(), "audit of " + checkpointDir + ":\n" + o.out() + o.err());
  }
}
