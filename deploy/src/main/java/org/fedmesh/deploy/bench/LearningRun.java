package org.fedmesh.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One seed of one configuration, as the demo's own report gave it. {@code secondsAtRound} counts from the moment the
 * consortium started (before its members were up) to node-1's commit of each round, as the demo does.
 */
record LearningRun(long seed, List<Double> accuracyPerRound, List<Double> secondsAtRound, double startupSeconds,
                   boolean hashesAgree, Double centralizedAccuracy, Double centralizedSeconds) {

  static LearningRun fromDemoReport(long seed, JsonNode demo, Double centralizedAccuracy, Double centralizedSeconds) {
    return new LearningRun(seed, doubles(demo.get("accuracy_per_round")), doubles(demo.get("seconds_per_round")),
        demo.get("startup_seconds").asDouble(), demo.get("hashes_agree").asBoolean(), centralizedAccuracy,
        centralizedSeconds);
  }

  /** A run as {@link #toJson()} wrote it into a learning report. */
  static LearningRun fromJson(JsonNode run) {
    return new LearningRun(run.get("seed").asLong(), doubles(run.get("accuracy_per_round")),
        doubles(run.get("seconds_at_round")), run.get("startup_seconds").asDouble(),
        run.get("hashes_agree").asBoolean(), orNull(run.get("centralized_accuracy")),
        orNull(run.get("centralized_seconds")));
  }

  private static Double orNull(JsonNode value) {
    return value == null || value.isNull() ? null : value.asDouble();
  }

  double finalAccuracy() {
    return accuracyPerRound.get(accuracyPerRound.size() - 1);
  }

  /** Final federated over centralized accuracy of the same seed; null without a baseline. */
  Double ratioToCentralized() {
    return centralizedAccuracy == null ? null : finalAccuracy() / centralizedAccuracy;
  }

  /**
   * Wall seconds each round took: the first from the consortium's start (so with its start-up: the CA, the members'
   * keys, the cluster forming), the others from the previous commit. Not from {@code startupSeconds}: the demo takes
   * that once every member sees every other Up, and the first rounds may commit before that.
   */
  List<Double> roundSeconds() {
    List<Double> each = new ArrayList<>();
    double previous = 0;
    for (double at : secondsAtRound) {
      each.add(at - previous);
      previous = at;
    }
    return each;
  }

  /** The rounds' wall seconds without the first, which carries the start-up. */
  List<Double> steadyRoundSeconds() {
    List<Double> each = roundSeconds();
    return each.subList(Math.min(1, each.size()), each.size());
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("seed", seed);
    json.put("final_accuracy", finalAccuracy());
    json.put("centralized_accuracy", centralizedAccuracy);
    json.put("ratio_to_centralized", ratioToCentralized());
    json.put("hashes_agree", hashesAgree);
    json.put("startup_seconds", startupSeconds);
    json.put("accuracy_per_round", accuracyPerRound);
    json.put("seconds_at_round", secondsAtRound);
    json.put("wall_seconds_per_round", roundSeconds());
    json.put("centralized_seconds", centralizedSeconds);
    return json;
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asDouble()));
    return values;
  }
}
