package org.fedmesh.mpc.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saved PEM files: round trips, refusals with clear messages, and what OpenSSL and the JDK make of them. */
class PkiFilesTest {

  private static final String OPENSSL = "/usr/bin/openssl";

  @TempDir
  static Path dir;
  private static Path caDir;
  private static Path otherCaDir;
  private static Path aliceDir;
  private static Path bobDir;

  @BeforeAll
  static void saveFiles() throws IOException {
    caDir = dir.resolve("ca");
    otherCaDir = dir.resolve("other-ca");
    aliceDir = dir.resolve("alice");
    bobDir = dir.resolve("bob");
    TestPki.ca().save(caDir);
    TestPki.otherCa().save(otherCaDir);
    TestPki.alice().save(aliceDir);
    TestPki.bob().save(bobDir);
  }

  @Test
  void caLoad_savedCa_equalKeyCertificateAndName() throws IOException {
    ConsortiumCa loaded = ConsortiumCa.load(caDir);
    assertEquals(TestPki.ca().certificate(), loaded.certificate());
    assertEquals(TestPki.ca().privateKey(), loaded.privateKey());
    assertEquals(TestPki.CONSORTIUM, loaded.consortiumName());
  }

  @Test
  void memberLoad_savedIdentity_equalKeyAndCertificates() throws IOException {
    MemberIdentity loaded = MemberIdentity.load(aliceDir);
    assertEquals(TestPki.alice(), loaded);
    assertEquals(TestPki.alice().privateKey(), loaded.privateKey());
    assertEquals(TestPki.alice().certificate(), loaded.certificate());
    assertEquals("alice", loaded.nodeId());
  }

  @Test
  void save_intoDirectoryWithExistingFiles_refusedAndNothingChanged() throws IOException {
    byte[] before = Files.readAllBytes(aliceDir.resolve(MemberIdentity.KEY_FILE));
    FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> TestPki.bob().save(aliceDir));
    assertTrue(e.getMessage().contains("node.key") && e.getMessage().contains("refusing to overwrite"),
        e.getMessage());
    assertEquals(new String(before, StandardCharsets.US_ASCII),
        Files.readString(aliceDir.resolve(MemberIdentity.KEY_FILE), StandardCharsets.US_ASCII));
    assertThrows(FileAlreadyExistsException.class, () -> TestPki.ca().save(caDir));
  }

  @Test
  void save_oneFileAlreadyThere_writesNoneOfTheOthers() throws IOException {
    Path target = dir.resolve("partial");
    Files.createDirectories(target);
    Files.writeString(target.resolve(MemberIdentity.CA_FILE), "someone else's CA");
    assertThrows(FileAlreadyExistsException.class, () -> TestPki.alice().save(target));
    assertFalse(Files.exists(target.resolve(MemberIdentity.KEY_FILE)));
    assertFalse(Files.exists(target.resolve(MemberIdentity.CERTIFICATE_FILE)));
  }

  @Test
  void save_privateKeys_arePkcs8PemReadableOnlyByOwner() throws IOException {
    for (Path key : new Path[] {aliceDir.resolve(MemberIdentity.KEY_FILE), caDir.resolve(ConsortiumCa.KEY_FILE)}) {
      assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"), key.toString());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), key.toString());
    }
    assertTrue(Files.readString(aliceDir.resolve(MemberIdentity.CERTIFICATE_FILE))
        .startsWith("-----BEGIN CERTIFICATE-----"));
  }

  @Test
  void savedKey_decodedLikePekkosPemReader_equalsOriginal() throws Exception {
    // Pekko's RotatingKeysSSLEngineProvider strips the PEM armour and hands the DER to an RSA KeyFactory.
    String pem = Files.readString(aliceDir.resolve(MemberIdentity.KEY_FILE));
    String base64 = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
        .replaceAll("\\s", "");
    assertEquals(TestPki.alice().privateKey(), KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64))));
  }

  @Test
  void opensslVerify_memberOfThisCa_ok() throws Exception {
    ProcessResult result = openssl("verify", "-CAfile", caDir.resolve("ca.crt").toString(),
        aliceDir.resolve("node.crt").toString());
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains(": OK"), result.output());
  }

  @Test
  void opensslVerify_memberAgainstAnotherCa_fails() throws Exception {
    ProcessResult result = openssl("verify", "-CAfile", otherCaDir.resolve("ca.crt").toString(),
        aliceDir.resolve("node.crt").toString());
    assertNotEquals(0, result.exitCode(), result.output());
  }

  @Test
  void opensslPkey_savedPrivateKey_parses() throws Exception {
    ProcessResult result = openssl("pkey", "-in", aliceDir.resolve("node.key").toString(), "-noout");
    assertEquals(0, result.exitCode(), result.output());
  }

  @Test
  void memberLoad_missingFile_namesTheFile() {
    Path missing = dir.resolve("nowhere");
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MemberIdentity.load(missing));
    assertTrue(e.getMessage().contains(missing.resolve("node.key").toString())
        && e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void memberLoad_certificateWhereKeyExpected_namesFileAndTypes() {
    Path cert = aliceDir.resolve("node.crt");
    IOException e = assertThrows(IOException.class,
        () -> MemberIdentity.load(cert, cert, aliceDir.resolve("ca.crt")));
    assertTrue(e.getMessage().contains(cert.toString()) && e.getMessage().contains("contains a CERTIFICATE")
        && e.getMessage().contains("expected a PRIVATE KEY"), e.getMessage());
  }

  @Test
  void memberLoad_notPem_namesFile() throws IOException {
    Path garbage = dir.resolve("garbage.key");
    Files.write(garbage, new byte[] {0x30, (byte) 0x82, 0x01, (byte) 0xff, 0, 1, 2});
    IOException e = assertThrows(IOException.class,
        () -> MemberIdentity.load(garbage, aliceDir.resolve("node.crt"), aliceDir.resolve("ca.crt")));
    assertTrue(e.getMessage().contains(garbage.toString()) && e.getMessage().contains("no PEM data"),
        e.getMessage());
  }

  @Test
  void memberLoad_keyOfAnotherMember_refused() {
    IOException e = assertThrows(IOException.class, () -> MemberIdentity.load(bobDir.resolve("node.key"),
        aliceDir.resolve("node.crt"), aliceDir.resolve("ca.crt")));
    assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
  }

  @Test
  void memberLoad_certificateOfAnotherCa_refused() {
    IOException e = assertThrows(IOException.class, () -> MemberIdentity.load(aliceDir.resolve("node.key"),
        aliceDir.resolve("node.crt"), otherCaDir.resolve("ca.crt")));
    assertTrue(e.getMessage().contains("was not issued by the CA"), e.getMessage());
  }

  @Test
  void caLoad_memberFilesRenamed_refusedAsNotACa() throws IOException {
    Path fake = dir.resolve("fake-ca");
    Files.createDirectories(fake);
    Files.copy(aliceDir.resolve("node.crt"), fake.resolve("ca.crt"));
    Files.copy(aliceDir.resolve("node.key"), fake.resolve("ca.key"));
    IOException e = assertThrows(IOException.class, () -> ConsortiumCa.load(fake));
    assertTrue(e.getMessage().contains("not a CA certificate"), e.getMessage());
  }

  @Test
  void memberIdentity_toString_neverShowsThePrivateKey() {
    String text = TestPki.alice().toString();
    assertTrue(text.contains("alice"), text);
    assertFalse(text.toLowerCase(java.util.Locale.ROOT).contains("modulus"), text);
    assertFalse(text.contains("private"), text);
  }

  private record ProcessResult(int exitCode, String output) {
  }

  private static ProcessResult openssl(String... arguments) throws Exception {
    String[] command = new String[arguments.length + 1];
    command[0] = OPENSSL;
    System.arraycopy(arguments, 0, command, 1, arguments.length);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "openssl did not finish");
    return new ProcessResult(process.exitValue(), output);
  }
}
