package org.fedmesh.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Refusals are logged, but no peer can flood the log: once per key per interval, and a bounded total. */
class RefusalLogTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private final AtomicLong clock = new AtomicLong();
  private final Logger logger = (Logger) LoggerFactory.getLogger("test.refusals." + System.nanoTime());
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private RefusalLog log;

  @BeforeEach
  void capture() {
    lines.start();
    logger.addAppender(lines);
    log = new RefusalLog(logger, MINUTE, clock::get);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
  }

  @Test
  void refuse_sameCertificateTwiceWithinTheInterval_loggedOnce() {
    log.refuse("cert-a", "Refused a");
    clock.addAndGet(MINUTE.toNanos() - 1);
    log.refuse("cert-a", "Refused a");

    assertEquals(1, lines.list.size());
  }

  @Test
  void refuse_sameCertificateAfterTheInterval_loggedAgainWithWhatWasLeftOut() {
    log.refuse("cert-a", "Refused a");
    log.refuse("cert-a", "Refused a");
    clock.addAndGet(MINUTE.toNanos());
    log.refuse("cert-a", "Refused a");

    assertEquals(2, lines.list.size());
    assertTrue(lines.list.get(1).getFormattedMessage().contains("1 refusal(s) since the last line not logged"),
        lines.list.get(1).getFormattedMessage());
  }

  @Test
  void refuse_manyDifferentCertificates_atMostTheBudgetPerInterval() {
    for (int i = 0; i < 1000; i++) {
      log.refuse("cert-" + i, "Refused " + i);
    }

    assertEquals(RefusalLog.MAX_LINES_PER_INTERVAL, lines.list.size());
  }
}
