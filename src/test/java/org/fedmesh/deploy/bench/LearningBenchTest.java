package org.fedmesh.deploy.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.fedmesh.deploy.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LearningBenchTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir
  Path dir;

  /**
   * A tiny real run (bundled breast cancer, 3 members, 2 rounds, 1 seed, one strategy with its server rate): the
   * configuration's per-round figures, its centralized baseline and their ratio; and the two plots of its partition.
   * One configuration keeps it short: each costs a consortium's start-up (RSA keys, cluster forming).
   */
  @Test
  void tinyRun_reportsEveryConfigurationsRoundsAgainstCentralized_andPlotsThem() throws Exception {
    Path report = dir.resolve("learning.json");
    Path plots = dir.resolve("plots");
    int exit = Main.commandLine().execute("bench", "learning", "--dataset", "breast-cancer", "--nodes", "3",
        "--rounds", "2", "--seeds", "7", "--partitions", "iid", "--models", "mlp:8", "--strategies", "fedyogi:0.1",
        "--tls", "off", "--report", report.toString(), "--plot",
        plots.toString());
    assertEquals(0, exit);

    JsonNode r = new ObjectMapper().readTree(report.toFile());
    JsonNode configs = r.get("configurations");
    assertEquals(1, configs.size(), r.toString());
    assertEquals("mlp:8", configs.get(0).get("model").asText());
    assertEquals("fedyogi", configs.get(0).get("strategy").asText());
    assertEquals(0.1, configs.get(0).get("server_learning_rate").asDouble());
    for (JsonNode c : configs) {
      assertEquals("iid", c.get("partition").asText());
      assertTrue(c.get("hashes_agree").asBoolean(), c.toString());
      JsonNode runs = c.get("runs");
      assertEquals(1, runs.size());
      JsonNode run = runs.get(0);
      assertEquals(7, run.get("seed").asLong());
      double[] accuracy = doubles(run.get("accuracy_per_round"));
      assertEquals(2, accuracy.length);
      for (double a : accuracy) {
        assertTrue(a > 0 && a <= 1, "accuracy " + a);
      }
      double[] at = doubles(run.get("seconds_at_round"));
      assertTrue(run.get("startup_seconds").asDouble() > 0 && at[0] > 0 && at[1] > at[0], Arrays.toString(at));
      double[] each = doubles(run.get("wall_seconds_per_round"));
      assertEquals(at[0], each[0], 1e-9, "the first round counts from the consortium's start");
      assertEquals(at[1], each[0] + each[1], 1e-9);
      double fin = run.get("final_accuracy").asDouble();
      assertEquals(accuracy[1], fin);
      double central = run.get("centralized_accuracy").asDouble();
      assertTrue(central > 0.5 && central <= 1, "centralized " + central);
      assertEquals(fin / central, run.get("ratio_to_centralized").asDouble(), 1e-12);
      // One seed: the spread's mean is that seed's figure and there is no spread.
      assertEquals(fin, c.get("final_accuracy").get("mean").asDouble());
      assertEquals(0.0, c.get("final_accuracy").get("std").asDouble());
      assertArrayEquals(accuracy, doubles(c.get("mean_accuracy_per_round")));
    }

    // Merging the report alone gives its configurations back, figure for figure.
    Path merged = dir.resolve("merged.json");
    assertEquals(0, Main.commandLine().execute("bench", "learning", "--from", report.toString(), "--report",
        merged.toString()));
    assertEquals(configs, new ObjectMapper().readTree(merged.toFile()).get("configurations"));

    List<String> written = new ArrayList<>();
    try (var files = Files.list(plots)) {
      files.forEach(f -> written.add(f.getFileName().toString()));
    }
    assertEquals(List.of("accuracy-iid-vs-rounds.png", "accuracy-iid-vs-seconds.png"),
        written.stream().sorted().toList());
    for (String name : written) {
      byte[] head = Arrays.copyOf(Files.readAllBytes(plots.resolve(name)), PNG_SIGNATURE.length);
      assertArrayEquals(PNG_SIGNATURE, head, name + " is not a PNG");
    }
  }

  @Test
  void defaults_areBothPartitionsFourMlpStrategiesAndTheCnnWithAdam() {
    LearningBenchCommand command = CommandLine.populateCommand(new LearningBenchCommand());
    List<LearningConfiguration> configs = command.configurations();
    assertEquals(10, configs.size());
    assertEquals(List.of("fedavg", "fedprox", "fedadam", "fedyogi", "fedprox"),
        configs.subList(0, 5).stream().map(c -> c.strategy().key()).toList());
    LearningConfiguration cnn = configs.get(4);
    assertEquals("cnn:32,64", cnn.model().toString());
    assertEquals(LearningBenchCommand.CNN_OPTIMIZER, cnn.localOptimizer());
    assertEquals(List.of("dirichlet:0.5", "iid"), configs.stream().map(LearningConfiguration::partition)
        .distinct().toList());
  }

  @Test
  void strategyChoice_takesAnOptionalServerRate_andRefusesABadOne() {
    assertEquals(null, LearningConfiguration.StrategyChoice.parse("fedprox").serverLearningRate());
    assertEquals(0.1, LearningConfiguration.StrategyChoice.parse("fedavgm:0.1").serverLearningRate());
    for (String bad : List.of("fedavgm:0", "fedadam:-1", "fedyogi:fast", "fedsgd")) {
      assertThrows(IllegalArgumentException.class, () -> LearningConfiguration.StrategyChoice.parse(bad), bad);
    }
  }

  @Test
  void seedSpread_meanAndSampleDeviation_leaveOutMissingFigures() {
    List<Double> values = new ArrayList<>(List.of(0.80, 0.90));
    values.add(null);
    SeedSpread s = SeedSpread.of(values);
    assertEquals(2, s.n());
    assertEquals(0.85, s.mean(), 1e-12);
    assertEquals(Math.sqrt(0.005), s.std(), 1e-12);
    assertEquals(0.80, s.min());
    assertEquals(0.90, s.max());
  }

  private static double[] doubles(JsonNode array) {
    double[] values = new double[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asDouble();
    }
    return values;
  }
}
