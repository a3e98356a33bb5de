package org.fedmesh.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x509.CRLReason;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.mpc.pki.RevocationList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The revocation list is reloaded while running, and a broken or older copy never un-revokes anybody. */
class RevocationWatchTest {
  private static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final BigInteger SERIAL = BigInteger.valueOf(0xabcdef);
  private static ConsortiumCa ca;
  private static ConsortiumCa otherCa;

  @TempDir
  Path dir;
  private final AtomicLong clock = new AtomicLong();

  @BeforeAll
  static void makeCas() {
    ca = ConsortiumCa.create("watch", Duration.ofDays(1));
    otherCa = ConsortiumCa.create("watch", Duration.ofDays(1));
  }

  private Path writeEmptyList() throws IOException {
    Path file = dir.resolve(RevocationList.FILE);
    ca.emptyRevocationList().save(file);
    return file;
  }

  /** A new version of the file: a later modification time, so that a coarse file-system clock cannot hide it. */
  private static void replace(Path file, RevocationList list, int secondsLater) throws IOException {
    list.save(file);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(secondsLater)));
  }

  @Test
  void isRevoked_listRevokesTheSerialAfterStart_revokedOnceTheIntervalPassed() throws IOException {
    Path file = writeEmptyList();
    RevocationWatch watch = RevocationWatch.load(file, ca.certificate(), INTERVAL, clock::get);
    assertFalse(watch.isRevoked(SERIAL));

    replace(file, ca.revoke(RevocationList.load(file, ca.certificate()), List.of(SERIAL), CRLReason.unspecified), 1);
    boolean beforeTheInterval = watch.isRevoked(SERIAL);
    clock.addAndGet(INTERVAL.toNanos());

    assertFalse(beforeTheInterval);
    assertTrue(watch.isRevoked(SERIAL));
  }

  @Test
  void refresh_listOfAnotherCa_keepsTheListInForce() throws IOException {
    Path file = writeEmptyList();
    replace(file, ca.revoke(RevocationList.load(file, ca.certificate()), List.of(SERIAL), CRLReason.unspecified), 1);
    RevocationWatch watch = RevocationWatch.load(file, ca.certificate(), INTERVAL, clock::get);

    replace(file, otherCa.emptyRevocationList(), 2);

    assertFalse(watch.refresh());
    assertTrue(watch.isRevoked(SERIAL));
  }

  @Test
  void refresh_olderListOfTheSameCa_refusedSoNobodyIsUnrevoked() throws IOException {
    Path file = writeEmptyList();
    RevocationList empty = RevocationList.load(file, ca.certificate());
    replace(file, ca.revoke(empty, List.of(SERIAL), CRLReason.unspecified), 1);
    RevocationWatch watch = RevocationWatch.load(file, ca.certificate(), INTERVAL, clock::get);

    replace(file, empty, 2);

    assertFalse(watch.refresh());
    assertTrue(watch.isRevoked(SERIAL));
    assertEquals(BigInteger.TWO, watch.current().orElseThrow().number());
  }

  @Test
  void refresh_fileGone_keepsTheListInForce() throws IOException {
    Path file = writeEmptyList();
    replace(file, ca.revoke(RevocationList.load(file, ca.certificate()), List.of(SERIAL), CRLReason.unspecified), 1);
    RevocationWatch watch = RevocationWatch.load(file, ca.certificate(), INTERVAL, clock::get);

    Files.delete(file);

    assertFalse(watch.refresh());
    assertTrue(watch.isRevoked(SERIAL));
  }
}
