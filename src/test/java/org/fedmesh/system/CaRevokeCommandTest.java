package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fedmesh.deploy.Main;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.mpc.pki.RevocationList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fedmesh ca revoke}: by node id (found in the CA's record of issued certificates) or by serial, into the
 * CA-signed list members read; and {@code fedmesh run} refuses to start a member whose own certificate is on it.
 */
class CaRevokeCommandTest {
  @TempDir
  Path dir;

  private int fedmesh(StringWriter err, String... args) {
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void revokeByNode_revokesThatMembersCertificateOnly_andRunRefusesToStartIt() throws Exception {
    StringWriter err = new StringWriter();
    Path ca = dir.resolve("ca");
    assertEquals(0, fedmesh(err, "ca", "init", "--out", ca.toString(), "--name", "Acme"));
    assertEquals(0, fedmesh(err, "cert", "issue", "--ca", ca.toString(), "--node", "site-a", "--out",
        dir.resolve("a").toString()));
    assertEquals(0, fedmesh(err, "cert", "issue", "--ca", ca.toString(), "--node", "site-b", "--out",
        dir.resolve("b").toString()));

    assertEquals(0, fedmesh(err, "ca", "revoke", "--ca", ca.toString(), "--node", "site-a", "--reason",
        "key compromise"), err.toString());

    ConsortiumCa loaded = ConsortiumCa.load(ca);
    RevocationList list = RevocationList.load(ca.resolve(RevocationList.FILE), loaded.certificate());
    assertTrue(list.isRevoked(MemberIdentity.load(dir.resolve("a")).certificate().getSerialNumber()));
    assertFalse(list.isRevoked(MemberIdentity.load(dir.resolve("b")).certificate().getSerialNumber()));
    assertTrue(Files.readString(ca.resolve("revocations.log")).contains("key compromise"));

    Path data = dir.resolve("data.csv");
    Files.writeString(data, "x,y\n1,0\n2,1\n3,0\n4,1\n");
    Path site = dir.resolve("site.conf");
    Files.writeString(site, """
        fedmesh {
          node-id = "site-a"
          data.path = "%1$s"
          identity { key = "%2$s/node.key", certificate = "%2$s/node.crt", ca = "%2$s/ca.crt",
                     revocation-list = "%3$s" }
          checkpoint-dir = "%4$s"
        }
        """.formatted(data, dir.resolve("a"), ca.resolve(RevocationList.FILE), dir.resolve("ckpt")));
    StringWriter runErr = new StringWriter();
    assertEquals(1, fedmesh(runErr, "run", "--config", site.toString()));
    assertTrue(runErr.toString().contains("this member's certificate (serial") && runErr.toString().contains(
        "is revoked"), runErr.toString());
  }

  @Test
  void revokeBySerial_unknownToTheCa_isStillRevoked() throws Exception {
    StringWriter err = new StringWriter();
    Path ca = dir.resolve("ca");
    assertEquals(0, fedmesh(err, "ca", "init", "--out", ca.toString()));

    assertEquals(0, fedmesh(err, "ca", "revoke", "--ca", ca.toString(), "--serial", "0x0A:BC"), err.toString());

    RevocationList list = RevocationList.load(ca.resolve(RevocationList.FILE), ConsortiumCa.load(ca).certificate());
    assertTrue(list.isRevoked(java.math.BigInteger.valueOf(0xabc)));
  }

  @Test
  void revokeByNode_noneIssued_isAnErrorNamingTheSerialWay() {
    StringWriter err = new StringWriter();
    Path ca = dir.resolve("ca");
    assertEquals(0, fedmesh(err, "ca", "init", "--out", ca.toString()));

    assertEquals(1, fedmesh(err, "ca", "revoke", "--ca", ca.toString(), "--node", "nobody"));
    assertTrue(err.toString().contains("--serial"), err.toString());
  }
}
