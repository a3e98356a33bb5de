package org.fedmesh.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.fedmesh.node.data.BundledDatasets;
import org.fedmesh.node.data.Scaler;
import org.fedmesh.node.data.Splits;
import org.fedmesh.node.data.TrainTest;
import org.fedmesh.node.model.LocalTrainer;
import org.fedmesh.node.model.ModelSpec;
import org.fedmesh.node.model.OptimizerSpec;
import org.fedmesh.node.model.TrainingConfig;
import org.fedmesh.node.privacy.DpSettings;
import org.fedmesh.node.privacy.PrivacyAccountant;
import org.fedmesh.node.privacy.PrivacyBudgetSpentException;
import org.fedmesh.node.round.LocalUpdates.LocalUpdate;
import org.junit.jupiter.api.Test;

/** A member's training with differential privacy, on the real breast-cancer data. */
class LocalTrainingPrivacyTest {
  private static final TrainTest DATA = standardised();
  private static final TrainingConfig CONFIG = TrainingConfig.of(1, 32, OptimizerSpec.parse("sgd:0.1"), 7);

  private static TrainTest standardised() {
    TrainTest split = Splits.trainTest(BundledDatasets.load("breast-cancer"), 0.2, 1);
    Scaler scaler = Scaler.standardize(split.train());
    return new TrainTest(scaler.apply(split.train()), scaler.apply(split.test()));
  }

  private static LocalTraining training(DpSettings dp) {
    return new LocalTraining(ModelSpec.logistic(), CONFIG, DATA.train(), 2, 42, dp, 3, DATA.test());
  }

  private static DpSettings dp(DpSettings.Level level, double noise, double budget) {
    return new DpSettings(level, noise, 1.0, 1e-5, budget, 0.1, 1);
  }

  @Test
  void withoutDp_theSameInputsGiveTheSameUpdate_weightedByRows() {
    LocalTraining plain = new LocalTraining(ModelSpec.logistic(), CONFIG, DATA.train(), 2, 42);
    float[] global = plain.initialParameters();
    LocalUpdate first = plain.train(global, 1);
    assertArrayEquals(first.delta(), plain.train(global, 1).delta());
    assertEquals(DATA.train().rows(), first.samples());
    assertTrue(first.meanLoss() > 0);
  }

  @Test
  void heldOutCounts_judgeTheModelTheUpdateWasTrainedFrom() {
    LocalTraining member = training(dp(DpSettings.Level.MEMBER, 1.0, 0));
    assertEquals(4, member.evaluationSlots());
    float[] global = member.initialParameters();
    LocalUpdate update = member.train(global, 1);
    long[] counts = update.evaluationCounts();
    assertArrayEquals(member.trainer().classCounts(global, DATA.test()), counts);
    assertEquals(DATA.test().rows(), counts[2] + counts[3], "rows per class add up to the held-out rows");
    assertEquals(DATA.test().labelCounts()[1], counts[3]);
    assertTrue(counts[0] <= counts[2] && counts[1] <= counts[3]);
    LocalTraining without = new LocalTraining(ModelSpec.logistic(), CONFIG, DATA.train(), 2, 42);
    assertEquals(0, without.train(global, 1).evaluationCounts().length, "no held-out rows, no counts");
  }

  @Test
  void memberLevel_updateIsClippedAndNoised_unweighted_withoutItsLoss() {
    LocalTraining member = training(dp(DpSettings.Level.MEMBER, 1.0, 0));
    float[] global = member.initialParameters();
    LocalUpdate a = member.train(global, 1);
    LocalUpdate b = member.train(global, 1);
    assertFalse(Arrays.equals(a.delta(), b.delta()), "the noise is fresh, not derived from the configured seed");
    assertEquals(1, a.samples(), "under DP every member weighs 1: its row count is not released");
    assertEquals(0, a.meanLoss(), "under DP the training loss is not released");
  }

  @Test
  void accountant_countsEveryRelease_andAtLeastOnePerEarlierRound() {
    LocalTraining member = training(dp(DpSettings.Level.MEMBER, 2.0, 0));
    float[] global = member.initialParameters();
    assertEquals(0, member.privacySpent().epsilon());
    member.train(global, 1);
    member.train(global, 1); // trained again for the same round: a second release
    assertEquals(PrivacyAccountant.memberLevel(2.0, 2, 1e-5).epsilon(), member.privacySpent().epsilon(), 1e-12);
    member.train(global, 6); // a member started again at round 6 may have released one update per round before
    assertEquals(PrivacyAccountant.memberLevel(2.0, 6, 1e-5).epsilon(), member.privacySpent().epsilon(), 1e-12);
  }

  @Test
  void budget_refusesTheUpdateThatWouldExceedIt() {
    // z = 1: epsilon 4.377 after one release, 6.573 after two, 8.385 after three.
    LocalTraining member = training(dp(DpSettings.Level.MEMBER, 1.0, 8.0));
    float[] global = member.initialParameters();
    member.train(global, 1);
    member.train(global, 2);
    PrivacyBudgetSpentException e = assertThrows(PrivacyBudgetSpentException.class, () -> member.train(global, 3));
    assertTrue(e.getMessage().contains("epsilon 8.38") && e.getMessage().contains("budget of 8.0"), e.getMessage());
    assertTrue(member.privacySpent().epsilon() <= 8.0);
  }

  @Test
  void recordLevel_dpSgdLearns_andSpendsWhatTheAccountantSays() {
    LocalTraining record = training(dp(DpSettings.Level.RECORD, 1.0, 0));
    float[] parameters = record.initialParameters();
    for (int round = 1; round <= 5; round++) {
      LocalUpdate update = record.train(parameters, round);
      for (int j = 0; j < parameters.length; j++) {
        parameters[j] += update.delta()[j];
      }
    }
    try (LocalTrainer evaluator = new LocalTrainer(ModelSpec.logistic(), DATA.train().cols(), 2, CONFIG)) {
      double accuracy = evaluator.evaluate(parameters, DATA.test()).accuracy();
      assertTrue(accuracy > 0.9, "DP-SGD's model on held-out rows: " + accuracy);
    }
    // Five rounds of ceil(1 / 0.1) = 10 steps at q = 0.1.
    assertEquals(PrivacyAccountant.recordLevel(1.0, 0.1, 50, 1e-5).epsilon(), record.privacySpent().epsilon(),
        1e-12);
  }

  @Test
  void recordLevel_hugeNoiseDrownsTheSignal() {
    LocalTraining record = training(dp(DpSettings.Level.RECORD, 1e4, 0));
    float[] parameters = record.initialParameters();
    LocalUpdate update = record.train(parameters, 1);
    double norm = 0;
    for (float v : update.delta()) {
      norm += (double) v * v;
    }
    // Ten steps with noise of standard deviation 1e4 / (0.1 * rows) per coordinate and learning rate 0.1:
    // far larger than anything the clipped gradients (norm <= 1 per record) could move.
    assertTrue(Math.sqrt(norm) > 100, "update norm " + Math.sqrt(norm));
  }
}
