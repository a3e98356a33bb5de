package org.fedmesh.node.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.commons.rng.sampling.PermutationSampler;
import org.fedmesh.node.data.BundledDatasets;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partitioner;
import org.fedmesh.node.data.Scaler;
import org.fedmesh.node.data.Splits;
import org.fedmesh.node.data.SyntheticData;
import org.fedmesh.node.data.TrainTest;
import org.junit.jupiter.api.Test;

class LocalTrainerTest {

  private static TrainTest blobs(int classes) {
    Dataset data = SyntheticData.classification(5, 900, 6, classes);
    TrainTest split = Splits.trainTest(data, 0.3, 1);
    Scaler scaler = Scaler.standardize(split.train());
    return new TrainTest(scaler.apply(split.train()), scaler.apply(split.test()));
  }

  private static LocalTrainer trainer(ModelSpec spec, Dataset data, OptimizerSpec optimizer, int epochs) {
    return new LocalTrainer(spec, data.cols(), data.numClasses(), TrainingConfig.of(epochs, 32, optimizer, 7));
  }

  /** Trains from the initial parameters and checks the loss falls and held-out accuracy exceeds 0.9. */
  private static void assertLearnsSeparableBlobs(ModelSpec spec, int classes) {
    TrainTest data = blobs(classes);
    try (LocalTrainer trainer = trainer(spec, data.train(), OptimizerSpec.sgd(0.1), 3)) {
      float[] initial = trainer.model().initialParameters(1);
      Evaluation before = trainer.evaluate(initial, data.train());

      TrainResult result = trainer.train(initial, data.train(), 0);
      Evaluation after = trainer.evaluate(result.parameters(), data.test());

      assertTrue(result.meanLoss() < before.loss() / 2, spec + ": loss " + before.loss() + " -> " + result.meanLoss());
      assertTrue(after.loss() < before.loss() / 2, spec + ": test loss " + after.loss());
      assertTrue(after.accuracy() > 0.9, spec + ": test accuracy " + after.accuracy());
      assertTrue(Double.isNaN(after.meanSquaredError()));
      assertEquals(data.train().rows(), result.samples());
    }
  }

  @Test
  void train_logisticOnSeparableBlobs_lossFallsAndAccuracyExceeds90() {
    assertLearnsSeparableBlobs(ModelSpec.logistic(), 2);
  }

  @Test
  void train_softmaxOnSeparableBlobs_lossFallsAndAccuracyExceeds90() {
    assertLearnsSeparableBlobs(ModelSpec.softmax(), 5);
  }

  @Test
  void train_mlpOnSeparableBlobs_lossFallsAndAccuracyExceeds90() {
    assertLearnsSeparableBlobs(ModelSpec.mlp(16, 8), 5);
  }

  @Test
  void train_linearOnLinearTarget_meanSquaredErrorFallsToTheNoise() {
    Dataset data = SyntheticData.regression(3, 800, 5, 0.1);
    try (LocalTrainer trainer = trainer(ModelSpec.linear(), data, OptimizerSpec.sgd(0.05), 5)) {
      float[] initial = trainer.model().initialParameters(1);
      Evaluation before = trainer.evaluate(initial, data);

      TrainResult result = trainer.train(initial, data, 0);
      Evaluation after = trainer.evaluate(result.parameters(), data);

      // Noise variance is 0.01; the targets' variance about 5.
      assertTrue(before.meanSquaredError() > 1, "before " + before);
      assertTrue(after.meanSquaredError() < 0.02, "after " + after);
      assertEquals(after.loss(), after.meanSquaredError());
      assertTrue(Double.isNaN(after.accuracy()));
    }
  }

  @Test
  void train_logisticOnStandardizedBreastCancer_reachesTestAccuracyOf093() {
    TrainTest split = Splits.trainTest(BundledDatasets.load("breast-cancer"), 0.3, 42);
    Scaler scaler = Scaler.standardize(split.train());
    Dataset train = scaler.apply(split.train());
    Dataset test = scaler.apply(split.test());
    try (LocalTrainer trainer = trainer(ModelSpec.logistic(), train, OptimizerSpec.sgd(0.05), 20)) {
      TrainResult result = trainer.train(trainer.model().initialParameters(1), train, 0);

      Evaluation evaluation = trainer.evaluate(result.parameters(), test);

      assertTrue(evaluation.accuracy() >= 0.93, "test accuracy " + evaluation.accuracy());
    }
  }

  @Test
  void train_sameRound_isReproducibleAndAnotherRoundShufflesDifferently() {
    TrainTest data = blobs(3);
    try (LocalTrainer trainer = trainer(ModelSpec.mlp(8), data.train(), OptimizerSpec.adam(0.01), 2)) {
      float[] initial = trainer.model().initialParameters(1);

      float[] first = trainer.train(initial, data.train(), 4).parameters();
      float[] again = trainer.train(initial, data.train(), 4).parameters();
      float[] otherRound = trainer.train(initial, data.train(), 5).parameters();

      assertArrayEquals(first, again);
      assertFalse(java.util.Arrays.equals(first, otherRound));
    }
  }

  @Test
  void train_leavesTheGlobalParametersUntouched() {
    TrainTest data = blobs(2);
    try (LocalTrainer trainer = trainer(ModelSpec.logistic(), data.train(), OptimizerSpec.sgd(0.1), 1)) {
      float[] global = trainer.model().initialParameters(1);
      float[] copy = global.clone();

      trainer.train(global, data.train(), 0);

      assertArrayEquals(copy, global);
    }
  }

  @Test
  void train_severalTrainersOnThreads_giveTheSameResultsAsOneAfterAnother() throws Exception {
    List<Dataset> parts = Partitioner.iid(blobs(4).train(), 4, 3);
    ModelSpec spec = ModelSpec.mlp(12);
    float[] global = spec.build(6, 4).initialParameters(2);
    List<float[]> sequential = new ArrayList<>();
    for (Dataset part : parts) {
      try (LocalTrainer trainer = trainer(spec, part, OptimizerSpec.adam(0.01), 3)) {
        sequential.add(trainer.train(global, part, 1).parameters());
      }
    }

    ExecutorService pool = Executors.newFixedThreadPool(parts.size());
    try {
      List<Future<float[]>> concurrent = new ArrayList<>();
      for (Dataset part : parts) {
        concurrent.add(pool.submit(() -> {
          try (LocalTrainer trainer = trainer(spec, part, OptimizerSpec.adam(0.01), 3)) {
            return trainer.train(global, part, 1).parameters();
          }
        }));
      }
      for (int i = 0; i < parts.size(); i++) {
        assertArrayEquals(sequential.get(i), concurrent.get(i).get(), "member " + i);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void train_withFedProx_staysCloserToTheGlobalModel() {
    TrainTest data = blobs(3);
    ModelSpec spec = ModelSpec.softmax();
    float[] global = spec.build(6, 3).initialParameters(1);
    double[] distances = new double[2];
    double[] mus = {0, 5};
    for (int i = 0; i < 2; i++) {
      TrainingConfig config = new TrainingConfig(3, 32, OptimizerSpec.sgd(0.1), mus[i], 7);
      try (LocalTrainer trainer = new LocalTrainer(spec, 6, 3, config)) {
        float[] trained = trainer.train(global, data.train(), 0).parameters();
        for (int j = 0; j < global.length; j++) {
          distances[i] += (trained[j] - global[j]) * (trained[j] - global[j]);
        }
      }
    }

    assertTrue(distances[1] < distances[0] / 4, "distance with mu 0: " + distances[0] + ", mu 5: " + distances[1]);
  }

  @Test
  void train_learningRateFarTooHigh_throwsInsteadOfReturningNaN() {
    Dataset data = SyntheticData.regression(3, 400, 5, 0.1);
    try (LocalTrainer trainer = trainer(ModelSpec.linear(), data, OptimizerSpec.sgd(1000), 1)) {
      float[] initial = trainer.model().initialParameters(1);

      TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
          () -> trainer.train(initial, data, 3));

      assertTrue(e.getMessage().contains("round 3"), e.getMessage());
    }
  }

  @Test
  void evaluate_manyRows_equalsTheRowWeightedMeanOfItsParts() {
    Dataset data = SyntheticData.classification(9, 2500, 4, 3);
    try (LocalTrainer trainer = trainer(ModelSpec.mlp(8), data, OptimizerSpec.sgd(0.1), 1)) {
      float[] parameters = trainer.model().initialParameters(3);
      Dataset first = data.subset(PermutationSampler.natural(1200));
      int[] rest = new int[1300];
      for (int i = 0; i < rest.length; i++) {
        rest[i] = 1200 + i;
      }

      Evaluation whole = trainer.evaluate(parameters, data);
      Evaluation a = trainer.evaluate(parameters, first);
      Evaluation b = trainer.evaluate(parameters, data.subset(rest));

      assertEquals((a.loss() * 1200 + b.loss() * 1300) / 2500, whole.loss(), 1e-9);
      assertEquals((a.accuracy() * 1200 + b.accuracy() * 1300) / 2500, whole.accuracy(), 1e-12);
    }
  }

  @Test
  void trainAndEvaluate_mismatchedInputs_areRefused() {
    TrainTest data = blobs(3);
    Dataset train = data.train();
    try (LocalTrainer trainer = trainer(ModelSpec.softmax(), train, OptimizerSpec.sgd(0.1), 1)) {
      float[] good = trainer.model().initialParameters(1);

      IllegalArgumentException wrongLength = assertThrows(IllegalArgumentException.class,
          () -> trainer.train(new float[good.length - 1], train, 0));
      assertTrue(wrongLength.getMessage().contains(good.length + " parameters"), wrongLength.getMessage());
      assertThrows(IllegalArgumentException.class, () -> trainer.evaluate(new float[good.length + 1], train));

      float[] withNaN = good.clone();
      withNaN[3] = Float.NaN;
      assertThrows(IllegalArgumentException.class, () -> trainer.train(withNaN, train, 0));

      Dataset fiveColumns = SyntheticData.classification(1, 50, 5, 3);
      IllegalArgumentException wrongColumns = assertThrows(IllegalArgumentException.class,
          () -> trainer.train(good, fiveColumns, 0));
      assertTrue(wrongColumns.getMessage().contains("5 feature columns"), wrongColumns.getMessage());
      assertThrows(IllegalArgumentException.class, () -> trainer.evaluate(good, fiveColumns));

      Dataset fourClasses = SyntheticData.classification(1, 50, 6, 4);
      assertThrows(IllegalArgumentException.class, () -> trainer.train(good, fourClasses, 0));
      Dataset regression = SyntheticData.regression(1, 50, 6, 0.1);
      assertThrows(IllegalArgumentException.class, () -> trainer.train(good, regression, 0));

      Dataset empty = train.subset(new int[0]);
      assertThrows(IllegalArgumentException.class, () -> trainer.train(good, empty, 0));
    }
  }
}
