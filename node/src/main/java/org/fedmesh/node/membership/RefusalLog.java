package org.fedmesh.node.membership;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs why a peer was refused without letting peers flood the log: each key (a certificate's fingerprint, or a kind
 * of failed handshake from one place) is logged at most once per interval, and at most {@link #MAX_LINES_PER_INTERVAL}
 * refusals are logged per interval in total, since an outsider can make up new certificates without end. What is
 * left out is counted and reported with the next line. Also used for refused control messages (keyed by attempt,
 * signer and reason), which a certified member can send without end.
 */
public final class RefusalLog {
  static final int MAX_LINES_PER_INTERVAL = 20;
  private static final int MAX_KEYS = 1024;

  private final Logger log;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final String keyName;
  private final Map<String, Long> lastLogged = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > MAX_KEYS;
    }
  };
  private long windowStart;
  private int linesInWindow;
  private long suppressed;

  RefusalLog(Logger log, Duration interval, LongSupplier nanoTime) {
    this(log, interval, nanoTime, "each peer certificate");
  }

  /** {@code keyName} says in each line what a key stands for ("each peer certificate"). */
  public RefusalLog(Logger log, Duration interval, LongSupplier nanoTime, String keyName) {
    this.log = log;
    this.keyName = keyName;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong();
  }

  /** Logs {@code message} as a warning unless {@code key} was logged within the interval or the budget is spent. */
  public void refuse(String key, String message) {
    String line;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      if (now - windowStart >= intervalNanos) {
        windowStart = now;
        linesInWindow = 0;
      }
      Long last = lastLogged.get(key);
      if ((last != null && now - last < intervalNanos) || linesInWindow >= MAX_LINES_PER_INTERVAL) {
        suppressed++;
        return;
      }
      lastLogged.put(key, now);
      linesInWindow++;
      line = suppressed == 0 ? message : message + " (" + suppressed + " refusal(s) since the last line not logged:"
          + " repeats within the interval, or over the budget)";
      suppressed = 0;
    }
    log.warn("{} ({} is logged at most once per {} s)", line, keyName, intervalNanos / 1_000_000_000L);
  }
}
