package org.fedmesh.deploy.operations;

import java.util.Locale;
import java.util.function.Consumer;

/** Progress as one line each time the round or its phase changes: what a log file or a pipe should get. */
public final class PhaseLines implements RoundProgress.Display {
  private final Consumer<String> out;
  private long round = -1;
  private RoundProgress.Step step;

  public PhaseLines(Consumer<String> out) {
    this.out = out;
  }

  @Override
  public void show(long round, RoundProgress.Step step, int done, int total) {
    if (round != this.round || step != this.step) {
      this.round = round;
      this.step = step;
      out.accept(String.format(Locale.ROOT, "Round %d: %s", round, step.label()));
    }
  }

  @Override
  public void println(String line) {
    out.accept(line);
  }

  @Override
  public void close() {}
}
