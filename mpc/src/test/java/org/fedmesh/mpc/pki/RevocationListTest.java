package org.fedmesh.mpc.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.CRLReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA's signed revocation list: what is on it, who may sign it, and what OpenSSL makes of it. */
class RevocationListTest {

  @TempDir
  Path dir;

  @Test
  void revoke_oneSerial_onlyThatSerialIsRevokedAndTheNumberRises() throws IOException {
    ConsortiumCa ca = TestPki.ca();
    Path file = dir.resolve(RevocationList.FILE);
    ca.emptyRevocationList().save(file);
    RevocationList empty = RevocationList.load(file, ca.certificate());
    BigInteger alice = TestPki.alice().certificate().getSerialNumber();

    ca.revoke(empty, List.of(alice), CRLReason.keyCompromise).save(file);
    RevocationList loaded = RevocationList.load(file, ca.certificate());

    assertEquals(0, empty.size());
    assertTrue(loaded.isRevoked(alice));
    assertFalse(loaded.isRevoked(TestPki.bob().certificate().getSerialNumber()));
    assertEquals(empty.number().add(BigInteger.ONE), loaded.number());
    assertTrue(loaded.revokedAt(alice).isPresent());
  }

  @Test
  void revoke_onTopOfAnEarlierList_keepsEarlierEntriesWithTheirDates() throws IOException {
    ConsortiumCa ca = TestPki.ca();
    BigInteger alice = TestPki.alice().certificate().getSerialNumber();
    BigInteger bob = TestPki.bob().certificate().getSerialNumber();
    RevocationList first = ca.revoke(null, List.of(alice), CRLReason.unspecified);

    RevocationList second = ca.revoke(first, List.of(bob, alice), CRLReason.superseded);

    assertEquals(2, second.size());
    assertEquals(first.revokedAt(alice), second.revokedAt(alice));
  }

  @Test
  void load_listSignedByAnotherCa_isRefusedNamingTheIssuer() throws IOException {
    Path file = dir.resolve(RevocationList.FILE);
    TestPki.otherCa().emptyRevocationList().save(file);

    IOException e = assertThrows(IOException.class, () -> RevocationList.load(file, TestPki.ca().certificate()));

    assertTrue(e.getMessage().contains("not by this consortium's CA"), e.getMessage());
  }

  @Test
  void load_listOfAnImpostorCaWithTheSameName_isRefusedForItsSignature() throws IOException {
    Path file = dir.resolve(RevocationList.FILE);
    TestPki.impostorCa().emptyRevocationList().save(file);

    IOException e = assertThrows(IOException.class, () -> RevocationList.load(file, TestPki.ca().certificate()));

    assertTrue(e.getMessage().contains("not signed by"), e.getMessage());
  }

  @Test
  void load_garbage_isAClearError() throws IOException {
    Path file = dir.resolve(RevocationList.FILE);
    Files.writeString(file, "not a CRL");

    assertThrows(IOException.class, () -> RevocationList.load(file, TestPki.ca().certificate()));
  }

  @Test
  void reasonCode_namedReason_mapsToItsCodeAndFreeTextToUnspecified() {
    assertEquals(CRLReason.keyCompromise, ConsortiumCa.reasonCode("Key compromise"));
    assertEquals(CRLReason.superseded, ConsortiumCa.reasonCode("superseded"));
    assertEquals(CRLReason.unspecified, ConsortiumCa.reasonCode("left the consortium on 2026-11-30"));
  }

  @Test
  void issuedCertificates_recorded_foundByNodeName() throws IOException {
    IssuedCertificates.record(dir, TestPki.alice().certificate());
    IssuedCertificates.record(dir, TestPki.bob().certificate());

    assertEquals(List.of(TestPki.alice().certificate()), IssuedCertificates.ofNode(dir, "alice"));
    assertEquals(List.of(), IssuedCertificates.ofNode(dir, "carol"));
    assertEquals(TestPki.alice().certificate().getSerialNumber(), IssuedCertificates.parseSerial(
        "0x" + IssuedCertificates.serialHex(TestPki.alice().certificate().getSerialNumber()).toUpperCase()));
  }

  @Test
  void saved_list_isReadByOpenSslAgainstTheCa() throws Exception {
    Path openssl = Path.of("/usr/bin/openssl"); // as PkiFilesTest: the build machine has it
    ConsortiumCa ca = TestPki.ca();
    Path caFile = dir.resolve("ca.crt");
    Files.writeString(caFile, toPem(ca));
    Path file = dir.resolve(RevocationList.FILE);
    ca.revoke(null, List.of(TestPki.alice().certificate().getSerialNumber()), CRLReason.unspecified).save(file);

    Process p = new ProcessBuilder(openssl.toString(), "crl", "-in", file.toString(), "-CAfile",
        caFile.toString(), "-noout").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("verify OK"), out);
  }

  private static String toPem(ConsortiumCa ca) throws IOException {
    Path tmp = Files.createTempDirectory("ca");
    try {
      ca.save(tmp);
      return Files.readString(tmp.resolve(ConsortiumCa.CERTIFICATE_FILE));
    } finally {
      try (var files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(tmp);
    }
  }
}
