package org.fedmesh.deploy.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.fedmesh.deploy.model.DenseForward;
import org.fedmesh.deploy.model.ExportedModel;
import org.fedmesh.deploy.model.PredictionInput;
import org.fedmesh.node.data.Dataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedmesh predict}: an exported model applied to rows of a CSV file, after the same scaling the member
 * applied to its training data (the statistics are in the model file).
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"Predict with a model written by `fedmesh export` (.json) on the rows of a CSV file.",
        "The file needs a header with the model's feature columns (any order; other columns are ignored); every"
            + " cell must be a finite number, else the error names file, line and column (exit code 1).",
        "Writes CSV: line (of the input), prediction, and one probability column per class for a classifier."})
public final class PredictCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "A model file from `fedmesh export --out FILE.json`.")
  Path model;

  @Option(names = {"--data", "--input"}, required = true, description = "The rows to predict (CSV with a header).")
  Path data;

  @Option(names = "--out", description = "Where to write the predictions (default: standard output).")
  Path out;

  @Override
  public Integer call() throws Exception {
    ExportedModel m = ExportedModel.read(model);
    DenseForward forward = new DenseForward(m);
    PredictionInput.Rows rows = PredictionInput.read(data, m.features(), m.inputs());
    Dataset scaled = m.scaling().scaler().apply(rows.data());
    OutputStream sink = out == null ? System.out : Files.newOutputStream(out);
    PrintWriter w = new PrintWriter(new java.io.OutputStreamWriter(sink, StandardCharsets.UTF_8));
    try {
      StringBuilder header = new StringBuilder("line,prediction");
      if (m.isClassification()) {
        m.classes().forEach(c -> header.append(",p_").append(c));
      }
      w.println(header);
      for (int r = 0; r < scaled.rows(); r++) {
        double[] y = forward.outputs(scaled, r);
        StringBuilder line = new StringBuilder().append(rows.lines()[r]).append(',');
        if (m.isClassification()) {
          line.append(m.classes().get(forward.predictedClass(y)));
          for (double p : y) {
            line.append(',').append(String.format(Locale.ROOT, "%.6f", p));
          }
        } else {
          line.append(y[0]);
        }
        w.println(line);
      }
    } finally {
      w.flush();
      if (out != null) {
        w.close();
      }
    }
    if (out != null) {
      System.err.println("Wrote " + scaled.rows() + " predictions of round " + m.round() + " to " + out);
    }
    return 0;
  }
}
