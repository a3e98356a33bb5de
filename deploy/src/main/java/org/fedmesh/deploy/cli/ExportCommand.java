package org.fedmesh.deploy.cli;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.fedmesh.deploy.model.ExportedModel;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.node.NodeSettings;
import org.fedmesh.node.SiteData;
import org.fedmesh.node.checkpoint.CheckpointStore;
import org.fedmesh.node.checkpoint.CommitJournal;
import org.fedmesh.node.round.ConsortiumScaling;
import org.fedmesh.node.round.ModelState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedmesh export}: a member's last committed model with its description, for use outside the consortium.
 * The checkpoint holds only the parameters; what they mean (model spec, classes, feature names) and how the
 * member scaled its inputs come from its site config and its data, read again the way {@code run} reads them.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Write a member's last committed model with its description and preprocessing.",
        "--out FILE.json: the model file `fedmesh predict` reads (spec, classes, feature names, the member's scaling"
            + " statistics, round, hash, signers, parameters); --out FILE.csv: the parameters only, one per line"
            + " (layer, row, column, value; row 'bias' for biases)."})
public final class ExportCommand implements Callable<Integer> {
  @Option(names = "--config", required = true,
      description = "The member's site config: model spec, classes and data (for the scaling statistics).")
  Path config;

  @Option(names = "--checkpoint", description = "Checkpoint directory (default: the config's checkpoint-dir).")
  Path checkpoint;

  @Option(names = "--out", required = true, description = "FILE.json (a model) or FILE.csv (the parameters).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Config site = SiteConfig.load(config);
    NodeSettings settings = NodeSettings.fromConfig(site);
    Path dir = checkpoint != null ? checkpoint : settings.checkpointDir();
    if (dir == null) {
      throw new IllegalArgumentException(
          "no checkpoint directory: pass --checkpoint DIR or set fedmesh.checkpoint-dir");
    }
    CheckpointStore store = new CheckpointStore(dir);
    ModelState state = store.load().orElseThrow(() -> new IllegalArgumentException("no checkpoint in " + dir
        + " (" + store.file() + " does not exist)"));
    SiteData.Prepared prepared = SiteData.prepare(settings.data());
    var train = prepared.data().train();
    String label = settings.data().labelColumn();
    List<String> features = settings.data().format().equals("csv") ? featureNames(Path.of(settings.data().path()),
        label) : null;
    // With standardize, the consortium's statistics are in the model, not in the member's data.
    ConsortiumScaling scaling = settings.data().consortiumStatistics() ? new ConsortiumScaling(train.cols())
        : ConsortiumScaling.NONE;
    if (scaling.needsStatistics(state.parameters())) {
      throw new IllegalArgumentException("the checkpoint of round " + state.round() + " holds no feature statistics"
          + " yet: export a model after the statistics round (round 1)");
    }
    ExportedModel model = ExportedModel.of(settings.model(), train.cols(), train.classNames(), features,
        features == null ? null : labelName(Path.of(settings.data().path()), label), settings.data().scaling(),
        scaling.enabled() ? scaling.scaler(state.parameters()) : prepared.scaler(), state,
        scaling.network(state.parameters()), dir.toAbsolutePath().toString(), signers(store, state));
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      writeParameters(model, out);
      System.out.println("Wrote the " + model.parameters().length + " parameters of round " + state.round() + " ("
          + state.shortHash() + ", " + model.modelSpec() + ") to " + out + "; without the description: use .json"
          + " for a model `fedmesh predict` reads");
    } else {
      model.write(out);
      System.out.println("Wrote round " + state.round() + " (" + state.shortHash() + "), " + model.modelSpec()
          + " on " + model.inputs() + " inputs" + (model.isClassification() ? ", classes " + model.classes() : "")
          + ", scaling " + model.scaling().method() + ", to " + out);
    }
    return 0;
  }

  /** The signers of the journal entry for {@code state}, when the journal's last line is about it. */
  private static List<String> signers(CheckpointStore store, ModelState state) throws IOException {
    Optional<CommitJournal.Entry> last = store.commits().last()
        .filter(e -> e.round() == state.round() && e.hash().equals(state.hash()));
    if (last.isEmpty() || last.get().certificate() == null) {
      return null;
    }
    return List.copyOf(CommitCertificate.decode(last.get().certificate()).signers());
  }

  private static CSVRecord header(Path csv) throws IOException {
    try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
         CSVParser parser = CSVParser.parse(reader, CSVFormat.DEFAULT.builder().setTrim(true).get())) {
      return parser.iterator().next();
    }
  }

  /** The header's columns but the label, in order: the names of the model's inputs. */
  private static List<String> featureNames(Path csv, String label) throws IOException {
    List<String> header = header(csv).toList();
    int labelIndex = label.isEmpty() ? header.size() - 1 : header.indexOf(label);
    List<String> features = new ArrayList<>(header);
    features.remove(labelIndex);
    return features;
  }

  private static String labelName(Path csv, String label) throws IOException {
    if (!label.isEmpty()) {
      return label;
    }
    List<String> header = header(csv).toList();
    return header.get(header.size() - 1);
  }

  private static void writeParameters(ExportedModel model, Path file) throws IOException {
    var network = model.network();
    var spec = network.spec();
    int[] widths = new int[spec.hiddenLayers().size() + 2];
    widths[0] = network.inputs();
    for (int i = 0; i < spec.hiddenLayers().size(); i++) {
      widths[i + 1] = spec.hiddenLayers().get(i);
    }
    widths[widths.length - 1] = network.outputs();
    float[] p = model.parameters();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
      w.println("layer,row,column,value");
      if (spec.kind() == org.fedmesh.node.model.ModelSpec.Kind.CNN) {
        for (int i = 0; i < p.length; i++) { // the layout of convolutions is in ConvNetwork; indices only here
          w.println("0," + i + ",0," + p[i]);
        }
        return;
      }
      int offset = 0;
      for (int l = 0; l + 1 < widths.length; l++) {
        for (int r = 0; r <= widths[l]; r++) {
          for (int c = 0; c < widths[l + 1]; c++) {
            w.println(l + "," + (r == widths[l] ? "bias" : String.valueOf(r)) + "," + c + "," + p[offset++]);
          }
        }
      }
    }
  }
}
