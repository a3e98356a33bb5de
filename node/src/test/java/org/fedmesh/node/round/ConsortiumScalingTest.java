package org.fedmesh.node.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.fedmesh.mpc.EphemeralKeyPair;
import org.fedmesh.mpc.FeatureSums;
import org.fedmesh.mpc.FeatureSumsCodec;
import org.fedmesh.mpc.LongVectors;
import org.fedmesh.mpc.PairwiseMasks;
import org.fedmesh.mpc.WeightedUpdateCodec;
import org.fedmesh.node.LocalTraining;
import org.fedmesh.node.data.BundledDatasets;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.data.Scaler;
import org.fedmesh.node.model.ModelSpec;
import org.fedmesh.node.model.OptimizerSpec;
import org.fedmesh.node.model.TrainingConfig;
import org.fedmesh.node.privacy.DpSettings;
import org.junit.jupiter.api.Test;

/**
 * The statistics round through the shipped pipeline, with real members' training on unscaled, label-skewed parts
 * of the breast-cancer set: the sum of their feature sums gives the pooled statistics, training then never moves
 * them (whatever the server optimizer), and a member that sends the wrong kind of vector makes the sum undecodable.
 */
class ConsortiumScalingTest {
  private static final WeightedUpdateCodec CODEC = WeightedUpdateCodec.create(100.0, 24, 16, 100_000, 50.0)
      .withCountSlots(4);
  private static final TrainingConfig CONFIG = TrainingConfig.of(1, 16, OptimizerSpec.parse("sgd:0.1"), 1);

  private final Dataset raw = BundledDatasets.load("breast-cancer");
  private final List<Dataset> parts = Partitioner.dirichlet(raw, 3, 0.3, 5);
  private final List<LocalTraining> members = parts.stream()
      .map(p -> new LocalTraining(ModelSpec.logistic(), CONFIG, p, 2, 42, DpSettings.NONE, 1, p, true)).toList();
  private final AggregationPipeline pipeline = new AggregationPipeline(CODEC, ServerOptimizer.fedAdaptive(false,
      0.1, 0.9, 0.99, 1e-3), members.get(0).parameterCount(), members.get(0).consortiumScaling());

  private ModelState initial() {
    float[] parameters = members.get(0).initialParameters();
    return ModelState.of(0, parameters, ServerOptimizer.fedAdaptive(false, 0.1, 0.9, 0.99, 1e-3)
        .initialState(parameters.length));
  }

  private long[] sum(List<LocalUpdates.LocalUpdate> updates) {
    long[] sum = new long[pipeline.vectorLength()];
    for (LocalUpdates.LocalUpdate u : updates) {
      LongVectors.addInPlace(sum, pipeline.encodeMasked(u, new AggregationPipeline.Unmasked()));
    }
    return sum;
  }

  private ModelState round(ModelState base) {
    return pipeline.decodeAndApply(sum(members.stream().map(m -> m.train(base.parameters(), base.round() + 1))
        .toList()), base).next();
  }

  @Test
  void statisticsRound_givesThePooledMeansAndDeviations_andLeavesTheNetworkAsItWas() {
    ModelState base = initial();
    ConsortiumScaling scaling = members.get(0).consortiumScaling();
    assertTrue(scaling.needsStatistics(base.parameters()));

    ModelState withStatistics = round(base);

    assertEquals(1, withStatistics.round());
    assertFalse(scaling.needsStatistics(withStatistics.parameters()));
    assertArrayEquals(scaling.network(base.parameters()), scaling.network(withStatistics.parameters()));
    Scaler.Description pooled = Scaler.standardize(raw).describe();
    Scaler.Description learnt = scaling.scaler(withStatistics.parameters()).describe();
    for (int c = 0; c < raw.cols(); c++) {
      assertEquals(pooled.shift()[c], learnt.shift()[c], 1e-5 * (1 + Math.abs(pooled.shift()[c])), "mean " + c);
      assertEquals(pooled.divisor()[c], learnt.divisor()[c], 1e-4 * pooled.divisor()[c], "deviation " + c);
    }
    // The parts are label-skewed: a member's own statistics are not the consortium's, so using them would show.
    Scaler.Description own = Scaler.standardize(parts.get(0)).describe();
    double largestGap = 0;
    for (int c = 0; c < raw.cols(); c++) {
      largestGap = Math.max(largestGap, Math.abs(own.shift()[c] - pooled.shift()[c]) / pooled.divisor()[c]);
    }
    assertTrue(largestGap > 0.2, "member 1's means are within " + largestGap + " deviations of the pooled ones");
  }

  @Test
  void trainingRounds_neverMoveTheStatistics_andLearnOnScaledRows() {
    ModelState model = round(initial());
    float[] statistics = Arrays.copyOfRange(model.parameters(), model.parameters().length - 60,
        model.parameters().length);
    ModelState first = model;
    for (int r = 0; r < 5; r++) {
      model = round(model);
    }
    assertArrayEquals(statistics, Arrays.copyOfRange(model.parameters(), model.parameters().length - 60,
        model.parameters().length));
    assertNotEquals(first.hash(), model.hash());
    ConsortiumScaling scaling = members.get(0).consortiumScaling();
    double accuracy = members.get(0).trainer().evaluate(scaling.network(model.parameters()),
        scaling.prepare(model.parameters(), raw)).accuracy();
    assertTrue(accuracy > 0.9, "accuracy " + accuracy + " after 5 rounds on standardised rows");
  }

  @Test
  void statisticsRound_withAMemberSendingAnUpdate_doesNotDecode() {
    ModelState base = initial();
    List<LocalUpdates.LocalUpdate> updates = new java.util.ArrayList<>(members.stream()
        .map(m -> m.train(base.parameters(), 1)).toList());
    // A member that trained as if the statistics were known: a real update where feature sums belong.
    updates.set(2, members.get(2).train(round(initial()).parameters(), 2));
    assertThrows(UndecodableSumException.class, () -> pipeline.decodeAndApply(sum(updates), base));
  }

  @Test
  void trainingRound_withAMemberSendingFeatureSums_doesNotDecode() {
    ModelState model = round(initial());
    float[] parameters = model.parameters();
    List<LocalUpdates.LocalUpdate> updates = new java.util.ArrayList<>(members.stream()
        .map(m -> m.train(parameters, 2)).toList());
    updates.set(1, LocalUpdates.LocalUpdate.statistics(FeatureSums.of(parts.get(1).features(), parts.get(1).rows(),
        parts.get(1).cols(), "a member")));
    assertThrows(UndecodableSumException.class, () -> pipeline.decodeAndApply(sum(updates), model));
  }

  /** What a member sends in the statistics round is masked: no word of its sums is in clear, yet the sum is exact. */
  @Test
  void statisticsRound_maskedVectors_revealNoMembersSums_butAddUpToTheSameStatistics() {
    ModelState base = initial();
    java.security.SecureRandom random = new java.security.SecureRandom();
    List<EphemeralKeyPair> keys = List.of(EphemeralKeyPair.generate(random), EphemeralKeyPair.generate(random),
        EphemeralKeyPair.generate(random));
    byte[] nonce = new byte[16];
    long[] maskedSum = new long[pipeline.vectorLength()];
    for (int i = 0; i < 3; i++) {
      java.util.Map<String, byte[]> peers = new java.util.TreeMap<>();
      for (int j = 0; j < 3; j++) {
        if (j != i) {
          peers.put("m" + j, keys.get(j).publicKey());
        }
      }
      long[] masks = new long[pipeline.vectorLength()];
      PairwiseMasks.apply(masks, "m" + i, keys.get(i), peers, 1, 1, nonce);
      LocalUpdates.LocalUpdate update = members.get(i).train(base.parameters(), 1);
      long[] plain = pipeline.encodeMasked(update, new AggregationPipeline.Unmasked());
      long[] sent = pipeline.encodeMasked(update, new AggregationPipeline.Precomputed(masks));
      for (int w = 0; w < FeatureSumsCodec.slots(raw.cols()); w++) {
        assertNotEquals(plain[w], sent[w], "member " + i + " sent word " + w + " of its sums in clear");
      }
      LongVectors.addInPlace(maskedSum, sent);
    }
    assertEquals(round(base).hash(), pipeline.decodeAndApply(maskedSum, base).next().hash());
  }

  @Test
  void withDifferentialPrivacy_isRefused() {
    DpSettings dp = new DpSettings(DpSettings.Level.RECORD, 1.0, 1.0, 1e-5, 0, 0.25, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LocalTraining(ModelSpec.logistic(), CONFIG, parts.get(0), 2, 42, dp, 1, null, true));
    assertTrue(e.getMessage().contains("divide:C"), e.getMessage());
  }
}
