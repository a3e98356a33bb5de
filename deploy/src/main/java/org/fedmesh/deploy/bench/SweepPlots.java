package org.fedmesh.deploy.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The sweep's PNG plots (XChart), written beside its JSON report: seconds per round against N (at D = 10^6) and
 * against D (at N = 5), and the busiest member's received bytes against N, ring against star.
 */
final class SweepPlots {
  static final int PLOT_PARAMS = 1_000_000;
  static final int PLOT_NODES = 5;
  private static final List<AggregationPoint.Kind> KINDS = List.of(AggregationPoint.Kind.PLAIN_RING,
      AggregationPoint.Kind.SECURE_RING, AggregationPoint.Kind.SECURE_COLD_RING, AggregationPoint.Kind.STAR);

  private SweepPlots() {}

  /** Writes the plots; returns their file names. */
  static List<String> write(List<Map<String, Object>> points, Path report) throws IOException {
    System.setProperty("java.awt.headless", "true");
    String stem = report.getFileName().toString().replaceFirst("\\.json$", "");
    Path dir = report.toAbsolutePath().getParent();
    List<String> files = new ArrayList<>();

    XYChart byNodes = chart("Seconds per round against members (D = 10^6)", "members N", "seconds per round");
    for (AggregationPoint.Kind kind : KINDS) {
      addSeries(byNodes, label(kind), points, "params", PLOT_PARAMS, "nodes", kind.key + "_seconds_median");
    }
    files.add(save(byNodes, dir, stem + "-seconds-vs-nodes.png"));

    XYChart byParams = chart("Seconds per round against parameters (N = 5)", "parameters D", "seconds per round");
    byParams.getStyler().setXAxisLogarithmic(true);
    byParams.getStyler().setYAxisLogarithmic(true);
    for (AggregationPoint.Kind kind : KINDS) {
      addSeries(byParams, label(kind), points, "nodes", PLOT_NODES, "params", kind.key + "_seconds_median");
    }
    files.add(save(byParams, dir, stem + "-seconds-vs-params.png"));

    XYChart bytes = chart("Bytes received by the busiest member (D = 10^6)", "members N",
        "bytes per round (busiest member)");
    addSeries(bytes, "ring", points, "params", PLOT_PARAMS, "nodes", "plain_bytes_received_busiest_member");
    addSeries(bytes, "star", points, "params", PLOT_PARAMS, "nodes", "star_bytes_received_busiest_member");
    files.add(save(bytes, dir, stem + "-busiest-bytes-vs-nodes.png"));
    return files;
  }

  private static String label(AggregationPoint.Kind kind) {
    return switch (kind) {
      case PLAIN_RING -> "plain ring";
      case SECURE_RING -> "secure ring";
      case SECURE_COLD_RING -> "secure ring, cold";
      case STAR -> "star (central server)";
    };
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(x).yAxisTitle(y).build();
    chart.getStyler().setMarkerSize(7);
    return chart;
  }

  /** One series: the points whose {@code fixedKey} equals {@code fixed}, {@code yKey} against {@code xKey}. */
  private static void addSeries(XYChart chart, String name, List<Map<String, Object>> points, String fixedKey,
                                int fixed, String xKey, String yKey) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (Map<String, Object> p : points) {
      if (((Number) p.get(fixedKey)).intValue() == fixed && p.get(yKey) != null) {
        xs.add(((Number) p.get(xKey)).doubleValue());
        ys.add(((Number) p.get(yKey)).doubleValue());
      }
    }
    if (!xs.isEmpty()) {
      chart.addSeries(name, xs, ys);
    }
  }

  private static String save(XYChart chart, Path dir, String name) throws IOException {
    BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    return name;
  }
}
