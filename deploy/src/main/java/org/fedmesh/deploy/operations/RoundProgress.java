package org.fedmesh.deploy.operations;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.fedmesh.node.round.AbortReason;
import org.fedmesh.protocols.AttemptId;

/**
 * Where the round in flight stands, for people: the members of this process (one for {@code run}, all of them for
 * {@code demo}) tell it their steps through their {@link MemberActivity}, and it shows the round's progress on a
 * {@link Display}: a progress bar when the output is a terminal ({@link ProgressBars}), a line per phase otherwise
 * ({@link PhaseLines}), so a log file gets readable lines rather than carriage returns.
 *
 * <p>The round shown is the latest any member works on; its step is that of the member furthest behind (a member
 * not heard of in that round counts as training), and the bar fills as members move through their steps.
 */
public final class RoundProgress implements ProgressListener, AutoCloseable {

  /** A member's step in a round, in order. */
  public enum Step {
    TRAINING, SUMMING, COMMITTING, COMMITTED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Shows the progress; called with this object's lock held, one call at a time. */
  public interface Display extends AutoCloseable {
    /** {@code done} of {@code total} member steps of {@code round} are behind; {@code step}: the furthest behind. */
    void show(long round, Step step, int done, int total);

    /** A line for people, kept apart from the bar (an abandoned attempt; the demo's table rows). */
    void println(String line);

    @Override
    void close();
  }

  private final int members;
  private final Display display;
  private final Map<String, Long> roundOf = new HashMap<>();
  private final Map<String, Step> stepOf = new HashMap<>();
  /** Attempts already said to be abandoned: every member is told of the same one. */
  private final Set<AttemptId> abandoned = new HashSet<>();

  public RoundProgress(int members, Display display) {
    this.members = members;
    this.display = display;
  }

  /** A bar on {@code out} when it is a terminal, else a line per phase through {@code lines}. */
  public static RoundProgress forOutput(int members, PrintStream out, Consumer<String> lines) {
    return new RoundProgress(members, Terminal.attached() ? new ProgressBars(out) : new PhaseLines(lines));
  }

  @Override
  public synchronized void entered(String nodeId, long round, MemberActivity.Phase phase) {
    Step step = switch (phase) {
      case TRAINING -> Step.TRAINING;
      case SUMMING -> Step.SUMMING;
      case COMMITTING -> Step.COMMITTING;
      case WAITING -> null;
    };
    if (step != null) {
      moved(nodeId, round, step);
    }
  }

  @Override
  public synchronized void committed(String nodeId, long round) {
    moved(nodeId, round, Step.COMMITTED);
  }

  @Override
  public synchronized void abandoned(String nodeId, AttemptId attempt, AbortReason kind, String reason) {
    if (abandoned.add(attempt)) {
      display.println(String.format(Locale.ROOT, "Round %d: attempt %d abandoned (%s): %s", attempt.round(),
          attempt.attempt(), kind.label(), reason));
    }
  }

  /** A line for people, printed so that it does not break the bar. */
  public synchronized void println(String line) {
    display.println(line);
  }

  private void moved(String nodeId, long round, Step step) {
    roundOf.put(nodeId, round);
    stepOf.put(nodeId, step);
    long current = roundOf.values().stream().mapToLong(Long::longValue).max().orElse(round);
    int done = 0;
    int heard = 0;
    Step behind = Step.COMMITTED;
    for (Map.Entry<String, Long> member : roundOf.entrySet()) {
      if (member.getValue() == current) {
        Step s = stepOf.get(member.getKey());
        heard++;
        done += s.ordinal();
        behind = s.ordinal() < behind.ordinal() ? s : behind;
      }
    }
    if (heard < members) {
      behind = Step.TRAINING;
    }
    display.show(current, behind, done, members * Step.COMMITTED.ordinal());
  }

  @Override
  public synchronized void close() {
    display.close();
  }
}
