package org.fedmesh.system;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/** Collects what some loggers write and lets a test wait for a line, woken by each new line (no polling). */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final List<Logger> loggers = new ArrayList<>();
  private final List<String> lines = new ArrayList<>();
  private ch.qos.logback.classic.Level minimum = ch.qos.logback.classic.Level.ALL;

  /** Captures everything the loggers of these classes write at their configured levels. */
  static LogCapture of(Class<?>... classes) {
    LogCapture capture = new LogCapture();
    capture.start();
    for (Class<?> c : classes) {
      Logger logger = (Logger) LoggerFactory.getLogger(c);
      logger.addAppender(capture);
      capture.loggers.add(logger);
    }
    return capture;
  }

  /** Captures every warning and error the root logger passes on, whatever logger wrote it. */
  static LogCapture warnings() {
    LogCapture capture = new LogCapture();
    capture.minimum = ch.qos.logback.classic.Level.WARN;
    capture.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(capture);
    capture.loggers.add(root);
    return capture;
  }

  @Override
  protected synchronized void append(ILoggingEvent event) {
    if (!event.getLevel().isGreaterOrEqual(minimum)) {
      return;
    }
    lines.add(event.getFormattedMessage());
    notifyAll();
  }

  /** Waits until {@code count} lines match; returns the first. */
  synchronized String await(Predicate<String> match, int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lines.stream().filter(match).count() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no " + count + " matching log line(s) within " + timeout + "; captured:\n  "
            + String.join("\n  ", lines));
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return lines.stream().filter(match).findFirst().orElseThrow();
  }

  String await(Predicate<String> match, Duration timeout) throws InterruptedException {
    return await(match, 1, timeout);
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    loggers.forEach(l -> l.detachAppender(this));
    stop();
  }
}
