package org.fedmesh.deploy.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The learning benchmark's PNG plots (XChart), two per partition: test accuracy against rounds and against wall
 * seconds since the consortium started (log scale when they span minutes and seconds), one line per configuration (the mean over seeds, with error bars
 * of one standard deviation against rounds when there are several seeds), and each model's centralized accuracy
 * dashed.
 */
final class LearningPlots {
  /** Seconds plots spanning more than this factor get a log scale. */
  private static final double LOG_SPAN = 30;

  private LearningPlots() {}

  /** Writes the plots into {@code dir}; returns their file names. */
  static List<String> write(Map<LearningConfiguration, List<LearningRun>> results, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Map<String, Map<LearningConfiguration, List<LearningRun>>> byPartition = new LinkedHashMap<>();
    results.forEach((c, runs) -> {
      if (!runs.isEmpty()) {
        byPartition.computeIfAbsent(c.partition(), p -> new LinkedHashMap<>()).put(c, runs);
      }
    });
    List<String> files = new ArrayList<>();
    for (Map.Entry<String, Map<LearningConfiguration, List<LearningRun>>> e : byPartition.entrySet()) {
      String stem = "accuracy-" + e.getKey().replace(':', '-');
      files.add(save(chart(e.getKey(), e.getValue(), false), dir, stem + "-vs-rounds.png"));
      files.add(save(chart(e.getKey(), e.getValue(), true), dir, stem + "-vs-seconds.png"));
    }
    return files;
  }

  private static XYChart chart(String partition, Map<LearningConfiguration, List<LearningRun>> configs,
                               boolean againstSeconds) {
    int seeds = configs.values().stream().mapToInt(List::size).max().orElse(0);
    XYChart chart = new XYChartBuilder().width(900).height(560)
        .title("Test accuracy, " + partition + " (mean over " + seeds + " seed" + (seeds == 1 ? "" : "s") + ")")
        .xAxisTitle(againstSeconds ? "wall seconds since the consortium started" : "round")
        .yAxisTitle("test accuracy").build();
    chart.getStyler().setMarkerSize(4);
    chart.getStyler().setErrorBarsColorSeriesColor(true);
    double firstX = Double.POSITIVE_INFINITY;
    double lastX = 0;
    Map<String, Double> baselines = new LinkedHashMap<>();
    for (Map.Entry<LearningConfiguration, List<LearningRun>> e : configs.entrySet()) {
      List<LearningRun> runs = e.getValue();
      List<Double> accuracy = meanPerRound(runs, LearningRun::accuracyPerRound);
      List<Double> x = againstSeconds ? meanPerRound(runs, LearningRun::secondsAtRound) : roundNumbers(accuracy);
      // A configuration measured over fewer seeds than the others says so.
      String name = e.getKey().label() + (runs.size() == seeds ? ""
          : " (" + runs.size() + " seed" + (runs.size() == 1 ? ")" : "s)"));
      XYSeries series = againstSeconds || runs.size() < 2
          ? chart.addSeries(name, x, accuracy)
          : chart.addSeries(name, x, accuracy, stdPerRound(runs, accuracy));
      series.setMarker(SeriesMarkers.CIRCLE);
      firstX = Math.min(firstX, x.get(0));
      lastX = Math.max(lastX, x.get(x.size() - 1));
      SeedSpread central = SeedSpread.of(runs.stream().map(LearningRun::centralizedAccuracy).toList());
      if (central.n() > 0) {
        baselines.putIfAbsent(e.getKey().model() + " centralized", central.mean());
      }
    }
    // A CNN's rounds take minutes, an MLP's seconds: on one plot, a log scale keeps both curves' shape (its labels
    // are powers of ten only, so a narrower span stays linear).
    if (againstSeconds && lastX > LOG_SPAN * firstX) {
      chart.getStyler().setXAxisLogarithmic(true);
      chart.setXAxisTitle("wall seconds since the consortium started (log scale)");
    }
    for (Map.Entry<String, Double> b : baselines.entrySet()) {
      XYSeries line = chart.addSeries(b.getKey(), List.of(firstX, lastX),
          List.of(b.getValue(), b.getValue()));
      line.setMarker(SeriesMarkers.NONE);
      line.setLineStyle(SeriesLines.DASH_DASH);
    }
    return chart;
  }

  /** Per round, the mean over the runs that reached it (all of them, unless a run was cut short). */
  static List<Double> meanPerRound(List<LearningRun> runs, Function<LearningRun, List<Double>> figure) {
    List<Double> means = new ArrayList<>();
    for (int i = 0; ; i++) {
      final int round = i;
      List<Double> values = runs.stream().map(figure).filter(v -> v.size() > round).map(v -> v.get(round)).toList();
      if (values.isEmpty()) {
        return means;
      }
      means.add(SeedSpread.of(values).mean());
    }
  }

  private static List<Double> stdPerRound(List<LearningRun> runs, List<Double> means) {
    List<Double> std = new ArrayList<>();
    for (int i = 0; i < means.size(); i++) {
      final int round = i;
      std.add(SeedSpread.of(runs.stream().map(r -> r.accuracyPerRound().get(round)).toList()).std());
    }
    return std;
  }

  private static List<Double> roundNumbers(List<Double> values) {
    List<Double> rounds = new ArrayList<>();
    for (int i = 1; i <= values.size(); i++) {
      rounds.add((double) i);
    }
    return rounds;
  }

  private static String save(XYChart chart, Path dir, String name) throws IOException {
    BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    return name;
  }
}
