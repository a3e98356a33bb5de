package org.fedmesh.deploy.operations;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress as a bar per round (me.tongfei:progressbar draws it), on a terminal. The bar's line and other lines share
 * one lock, so that a line printed meanwhile (the demo's table, an abandoned attempt) clears the bar, appears above
 * it, and the bar is drawn again below.
 */
final class ProgressBars implements RoundProgress.Display {
  private static final int WIDTH = 90;

  private final PrintStream out;
  private ProgressBar bar;
  private Line line;
  private long barRound = -1;
  /** The bar's last rendering, drawn again after a line printed above it; empty when no bar is on screen. */
  private String shown = "";

  ProgressBars(PrintStream out) {
    this.out = out;
  }

  @Override
  public void show(long round, RoundProgress.Step step, int done, int total) {
    if (round != barRound) {
      closeBar();
      line = new Line();
      bar = new ProgressBarBuilder().setTaskName("Round " + round).setInitialMax(total)
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).setConsumer(line).build();
      barRound = round;
    }
    bar.maxHint(total).stepTo(done).setExtraMessage(step.label());
    if (step == RoundProgress.Step.COMMITTED) {
      closeBar();
    }
  }

  @Override
  public void println(String line) {
    synchronized (out) {
      out.print("\r" + " ".repeat(shown.length()) + "\r");
      out.println(line);
      out.print(shown);
      out.flush();
    }
  }

  @Override
  public void close() {
    closeBar();
  }

  private void closeBar() {
    if (bar != null) {
      bar.close(); // draws the final state (and waits for it)
      // The library ends the line itself only if the bar had been drawn before (a bar closed before its first
      // refresh gets its final state drawn but its consumer never closed): end it here, at most once.
      line.close();
      bar = null;
    }
  }

  /** One bar's output: redrawn in place with a carriage return, ended with a newline when the bar closes. */
  private final class Line implements ProgressBarConsumer {
    @Override
    public int getMaxRenderedLength() {
      return WIDTH;
    }

    @Override
    public void accept(String rendered) {
      synchronized (out) {
        out.print("\r" + rendered + " ".repeat(Math.max(0, shown.length() - rendered.length())));
        out.flush();
        shown = rendered;
      }
    }

    @Override
    public void close() {
      synchronized (out) {
        if (!shown.isEmpty()) {
          out.println();
          shown = "";
        }
      }
    }
  }
}
