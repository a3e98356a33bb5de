package org.fedmesh.node.membership;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.fedmesh.mpc.pki.RevocationList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consortium's revocation list as this member currently holds it, reloaded without a restart when the file
 * changes (checked at most once per interval, on use). A list that cannot be read, is not signed by the CA, or is
 * older (a lower CRL number) than the one held is refused with an error, and the one held stays in force: a
 * broken copy must not un-revoke anybody.
 */
public final class RevocationWatch {
  private static final Logger log = LoggerFactory.getLogger(RevocationWatch.class);

  private final Optional<Path> file;
  private final X509Certificate ca;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private volatile Optional<RevocationList> current;
  private volatile long checkedAt;
  private FileTime loadedModified;
  private long loadedSize;

  private RevocationWatch(Optional<Path> file, X509Certificate ca, Duration interval, LongSupplier nanoTime,
                          Optional<RevocationList> initial, FileTime modified, long size) {
    this.file = file;
    this.ca = ca;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.current = initial;
    this.loadedModified = modified;
    this.loadedSize = size;
    this.checkedAt = nanoTime.getAsLong();
  }

  /** No list configured: nothing is revoked. */
  static RevocationWatch none() {
    return new RevocationWatch(Optional.empty(), null, Duration.ofDays(1), System::nanoTime, Optional.empty(), null, 0);
  }

  /** Loads {@code file} now (a member refuses to start without a valid list when one is configured). */
  static RevocationWatch load(Path file, X509Certificate ca, Duration interval, LongSupplier nanoTime)
      throws IOException {
    FileTime modified = Files.getLastModifiedTime(file);
    long size = Files.size(file);
    RevocationList list = RevocationList.load(file, ca);
    return new RevocationWatch(Optional.of(file), ca, interval, nanoTime, Optional.of(list), modified, size);
  }

  /** Whether the serial is on the list, after reloading the list if it is due and the file changed. */
  public boolean isRevoked(BigInteger serial) {
    maybeRefresh();
    return current.map(list -> list.isRevoked(serial)).orElse(false);
  }

  /** The list in force, if one is configured. */
  public Optional<RevocationList> current() {
    maybeRefresh();
    return current;
  }

  private void maybeRefresh() {
    if (file.isPresent() && nanoTime.getAsLong() - checkedAt >= intervalNanos) {
      refresh();
    }
  }

  /** Checks the file now; true if a newer list was loaded. */
  public synchronized boolean refresh() {
    checkedAt = nanoTime.getAsLong();
    if (file.isEmpty()) {
      return false;
    }
    Path path = file.get();
    try {
      FileTime modified = Files.getLastModifiedTime(path);
      long size = Files.size(path);
      if (modified.equals(loadedModified) && size == loadedSize) {
        return false;
      }
      loadedModified = modified;
      loadedSize = size;
      RevocationList next = RevocationList.load(path, ca);
      RevocationList held = current.orElseThrow();
      if (next.number().compareTo(held.number()) < 0) {
        log.error("Refused the revocation list in {}: it is number {}, older than number {} in force; keeping that",
            path, next.number(), held.number());
        return false;
      }
      current = Optional.of(next);
      log.info("Revocation list reloaded from {}: number {}, {} revoked certificate(s) (was number {} with {})",
          path, next.number(), next.size(), held.number(), held.size());
      return true;
    } catch (IOException | RuntimeException e) {
      String why = e instanceof java.nio.file.NoSuchFileException ? "the file is gone" : e.getMessage();
      log.error("Cannot reload the revocation list {}: {}; keeping number {} in force", path, why,
          current.map(RevocationList::number).orElse(BigInteger.ZERO));
      return false;
    }
  }
}
