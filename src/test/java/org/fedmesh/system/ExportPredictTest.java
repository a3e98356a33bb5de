package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.fedmesh.deploy.Main;
import org.fedmesh.deploy.model.ExportedModel;
import org.fedmesh.mpc.FeatureSums;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.NodeSettings;
import org.fedmesh.node.SiteData;
import org.fedmesh.node.checkpoint.CheckpointStore;
import org.fedmesh.node.data.CsvLoader;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Task;
import org.fedmesh.node.model.Evaluation;
import org.fedmesh.node.model.LocalTrainer;
import org.fedmesh.node.round.ConsortiumScaling;
import org.fedmesh.node.round.ModelState;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code export} then {@code predict} on a member's checkpoint: the predictions from the exported file are those of
 * the model in memory (same accuracy, same loss, on rows scaled with the statistics the model holds, as members
 * scale with {@code standardize}); bad input is refused naming file, line and column, with exit code 1.
 */
class ExportPredictTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"logistic", "mlp:8"})
  void exportThenPredict_matchesTheModelInMemory(String spec) throws Exception {
    assertEquals(0, run("data", "split", "--dataset", "breast-cancer", "--parts", "1", "--out",
        dir.resolve("data").toString()));
    Path site = dir.resolve("site.conf");
    Files.writeString(site, """
        fedmesh {
          node-id = "site-a"
          model.spec = "%s"
          data { path = "%s", classes = ["benign", "malignant"], test-fraction = 0.2 }
          checkpoint-dir = "%s"
        }
        """.formatted(spec, dir.resolve("data/part-1.csv"), dir.resolve("checkpoints")));
    NodeSettings settings = NodeSettings.fromConfig(ConfigFactory.parseFile(site.toFile())
        .withFallback(FedmeshNode.defaults()).resolve());
    SiteData.Prepared prepared = SiteData.prepare(settings.data());
    Dataset train = prepared.data().train();
    float[] parameters;
    Evaluation inMemory;
    // A consortium of this one member: the statistics round gives its own statistics, kept after the network.
    ConsortiumScaling scaling = new ConsortiumScaling(train.cols());
    try (LocalTrainer trainer = new LocalTrainer(settings.model(), train.cols(), 2, settings.training())) {
      float[] network = trainer.model().initialParameters(42);
      float[] statistics = scaling.withStatistics(new float[network.length + scaling.sectionLength()],
          FeatureSums.of(train.features(), train.rows(), train.cols(), "site-a"));
      Dataset scaled = scaling.prepare(statistics, train);
      for (int round = 1; round <= 3; round++) {
        network = trainer.train(network, scaled, round).parameters();
      }
      parameters = Arrays.copyOf(network, statistics.length);
      System.arraycopy(statistics, network.length, parameters, network.length, scaling.sectionLength());
      Dataset test = scaling.prepare(parameters, CsvLoader.load(dir.resolve("data/test.csv"), null,
          Task.CLASSIFICATION).withClasses(List.of("benign", "malignant")));
      inMemory = trainer.evaluate(network, test);
    }
    ModelState state = ModelState.of(4, parameters, new float[0]);
    new CheckpointStore(dir.resolve("checkpoints")).save(state);

    Path model = dir.resolve("model.json");
    assertEquals(0, run("export", "--config", site.toString(), "--out", model.toString()));
    ExportedModel exported = ExportedModel.read(model);
    assertEquals(state.hash(), exported.hash());
    assertEquals(30, exported.features().size());
    Path predictions = dir.resolve("predictions.csv");
    assertEquals(0, run("predict", "--model", model.toString(), "--data", dir.resolve("data/test.csv").toString(),
        "--out", predictions.toString()));

    List<String> truth = Files.readAllLines(dir.resolve("data/test.csv"));
    List<String> predicted = Files.readAllLines(predictions);
    assertEquals("line,prediction,p_benign,p_malignant", predicted.get(0));
    assertEquals(truth.size(), predicted.size());
    int correct = 0;
    double loss = 0;
    for (int i = 1; i < truth.size(); i++) {
      String label = truth.get(i).substring(truth.get(i).lastIndexOf(',') + 1);
      String[] p = predicted.get(i).split(",");
      assertEquals(String.valueOf(i + 1), p[0], "line numbers of the input");
      correct += p[1].equals(label) ? 1 : 0;
      loss -= Math.log(Double.parseDouble(label.equals("benign") ? p[2] : p[3]));
    }
    int rows = truth.size() - 1;
    assertEquals(inMemory.accuracy(), (double) correct / rows, 1e-12, "the same predictions, row for row in sum");
    assertEquals(inMemory.loss(), loss / rows, 1e-3 * Math.max(1, inMemory.loss()), "the same probabilities");
    assertTrue(inMemory.accuracy() > 0.85, "a trained model: " + inMemory);
  }

  @ParameterizedTest(name = "cell \"{0}\"")
  @ValueSource(strings = {"NaN", "", "abc", "MISSING"})
  void predict_badInput_namesFileLineAndColumn(String cell) throws Exception {
    assertEquals(0, run("data", "split", "--dataset", "breast-cancer", "--parts", "1", "--out",
        dir.resolve("data").toString()));
    Path site = dir.resolve("site.conf");
    Files.writeString(site, """
        fedmesh { node-id = "s", model.spec = "logistic", checkpoint-dir = "%s"
          data { path = "%s", classes = ["benign", "malignant"], scaling = "none" } }
        """.formatted(dir.resolve("ck"), dir.resolve("data/part-1.csv")));
    new CheckpointStore(dir.resolve("ck")).save(ModelState.of(1, new float[31], new float[0]));
    Path model = dir.resolve("m.json");
    assertEquals(0, run("export", "--config", site.toString(), "--out", model.toString()));
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(dir.resolve("data/test.csv")));
    String expected;
    if (cell.equals("MISSING")) {
      lines.set(0, lines.get(0).replace("x7,", "y7,"));
      expected = "bad.csv:1: missing column(s) the model reads: x7";
    } else {
      String[] cells = lines.get(4).split(",", -1);
      cells[2] = cell;
      lines.set(4, String.join(",", cells));
      expected = "bad.csv:5:3 (column 'x2')";
    }
    Path bad = dir.resolve("bad.csv");
    Files.write(bad, lines);
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err));
    assertEquals(1, cl.execute("predict", "--model", model.toString(), "--data", bad.toString(), "--out",
        dir.resolve("p.csv").toString()));
    assertTrue(err.toString().contains(expected), err.toString());
  }

  private static int run(String... args) {
    return Main.commandLine().execute(args);
  }
}
