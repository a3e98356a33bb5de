package org.fedmesh.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.model.ModelSpec;
import org.fedmesh.node.model.OptimizerSpec;

/**
 * The demo's yardstick for time to accuracy: {@code benchmarks/numpy_fedavg.py}, a single-process FedAvg of the same
 * MLP on exactly the members' rows, run once as a python3 process after the federated run.
 */
public final class NumpyFedAvgSimulation {
  static final String SCRIPT = "numpy_fedavg.py";

  /** What the simulation measured. */
  public record Result(List<Double> accuracyPerRound, List<Double> secondsPerRound, Double secondsToTarget,
                       String numpy) {}

  private NumpyFedAvgSimulation() {}

  /** Why this model and optimizer can not be simulated, if they can not (dense models with SGD only). */
  public static Optional<String> unsupported(ModelSpec spec, OptimizerSpec optimizer) {
    if (spec.kind() != ModelSpec.Kind.MLP && spec.kind() != ModelSpec.Kind.SOFTMAX) {
      return Optional.of("the simulation covers mlp and softmax models, not " + spec);
    }
    if (!(optimizer instanceof OptimizerSpec.Sgd)) {
      return Optional.of("the simulation trains with sgd, not " + optimizer);
    }
    return Optional.empty();
  }

  /** Runs the simulation; empty when python3 with numpy is not here. */
  public static Optional<Result> run(List<Dataset> members, Dataset test, ModelSpec spec, OptimizerSpec.Sgd sgd,
      int batch, int localEpochs, int rounds, double target, long seed) throws IOException, InterruptedException {
    if (NumpyReference.numpyVersion().isEmpty()) {
      return Optional.empty();
    }
    Path dir = Files.createTempDirectory("fedmesh-numpy-fedavg");
    try {
      for (String script : List.of(SCRIPT, NumpyReference.MLP)) { // the simulation imports the MLP from the other
        try (InputStream in = NumpyFedAvgSimulation.class.getClassLoader()
            .getResourceAsStream("benchmarks/" + script)) {
          if (in == null) {
            throw new IOException("benchmarks/" + script + " is not in the jar (was it built from this source tree?)");
          }
          Files.copy(in, dir.resolve(script));
        }
      }
      for (int i = 0; i < members.size(); i++) {
        NumpyReference.writeRows(members.get(i), dir.resolve("member-" + (i + 1) + ".f32"),
            dir.resolve("member-" + (i + 1) + ".i32"));
      }
      NumpyReference.writeRows(test, dir.resolve("test.f32"), dir.resolve("test.i32"));
      List<String> command = new ArrayList<>(List.of("python3", dir.resolve(SCRIPT).toString(),
          "--dir", dir.toString(), "--members", Integer.toString(members.size()),
          "--cols", Integer.toString(test.cols()), "--classes", Integer.toString(test.numClasses()),
          "--hidden", spec.hiddenLayers().stream().map(String::valueOf).collect(Collectors.joining(",")),
          "--batch", Integer.toString(batch), "--local-epochs", Integer.toString(localEpochs),
          "--rounds", Integer.toString(rounds), "--lr", Double.toString(sgd.learningRate()),
          "--momentum", Double.toString(sgd.momentum()), "--target", String.format(Locale.ROOT, "%s", target),
          "--seed", Long.toString(seed)));
      JsonNode json = NumpyReference.runScript(SCRIPT, command);
      JsonNode toTarget = json.path("seconds_to_target");
      return Optional.of(new Result(doubles(json.path("accuracy_per_round")), doubles(json.path("seconds_per_round")),
          toTarget.isNumber() ? toTarget.asDouble() : null, json.path("numpy").asText()));
    } finally {
      EmbeddedConsortium.deleteTree(dir);
    }
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asDouble()));
    return values;
  }
}
