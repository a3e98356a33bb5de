package org.fedmesh.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.fedmesh.node.Strategy;
import org.fedmesh.node.model.ModelSpec;

/**
 * One line of the learning benchmark: a model trained with a strategy (and, if given, its server learning rate and
 * the members' local optimizer) on one partition. Each is run once per seed, by the demo itself.
 */
record LearningConfiguration(String partition, ModelSpec model, Strategy strategy, Double serverLearningRate,
                             String localOptimizer) {

  /**
   * A strategy as {@code --strategies} writes it: {@code NAME} or {@code NAME:SERVER_RATE}, e.g. {@code fedavgm:0.1}
   * (the rate is the adaptive one for fedadam and fedyogi, as in the demo's {@code --server-learning-rate}).
   */
  record StrategyChoice(Strategy strategy, Double serverLearningRate) {
    static StrategyChoice parse(String token) {
      String[] parts = token.trim().split(":", 2);
      Double rate = null;
      if (parts.length == 2) {
        try {
          rate = Double.parseDouble(parts[1]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + token + "': expected STRATEGY or STRATEGY:SERVER_RATE, e.g."
              + " fedavgm:0.1");
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
          throw new IllegalArgumentException("'" + token + "': the server learning rate must be positive");
        }
      }
      return new StrategyChoice(Strategy.parse(parts[0]), rate);
    }

    @Override
    public String toString() {
      return serverLearningRate == null ? strategy.key() : strategy.key() + ":" + serverLearningRate;
    }
  }

  static LearningConfiguration of(String partition, ModelSpec model, StrategyChoice choice, String optimizer) {
    return new LearningConfiguration(partition, model, choice.strategy(), choice.serverLearningRate(), optimizer);
  }

  /** A configuration as a learning report's summary names it. */
  static LearningConfiguration fromJson(JsonNode summary) {
    JsonNode rate = summary.get("server_learning_rate");
    JsonNode optimizer = summary.get("local_optimizer");
    return new LearningConfiguration(summary.get("partition").asText(), ModelSpec.parse(summary.get("model").asText()),
        Strategy.parse(summary.get("strategy").asText()), rate == null || rate.isNull() ? null : rate.asDouble(),
        optimizer == null || optimizer.isNull() ? null : optimizer.asText());
  }

  /** The plots' and the console's name of the configuration within its partition. */
  String label() {
    StringBuilder s = new StringBuilder(model + " " + strategy.key());
    if (serverLearningRate != null) {
      s.append(" (server ").append(serverLearningRate).append(')');
    }
    if (localOptimizer != null) {
      s.append(", ").append(localOptimizer);
    }
    return s.toString();
  }

  /** The demo's arguments for one seed of this configuration; {@code common} holds the run-wide ones. */
  List<String> demoArguments(long seed, List<String> common) {
    List<String> args = new ArrayList<>(common);
    args.addAll(List.of("--partition", partition, "--model", model.toString(), "--strategy", strategy.key(),
        "--seed", Long.toString(seed)));
    if (serverLearningRate != null) {
      args.addAll(List.of("--server-learning-rate", serverLearningRate.toString()));
    }
    if (localOptimizer != null) {
      args.addAll(List.of("--optimizer", localOptimizer));
    }
    return args;
  }
}
