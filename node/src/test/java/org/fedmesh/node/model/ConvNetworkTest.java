package org.fedmesh.node.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.PermutationSampler;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Seeds;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class ConvNetworkTest {

  @Test
  void spec_parsesAndPrintsBack_andCountsItsParameters() {
    ModelSpec spec = ModelSpec.parse("cnn:16,32");
    assertEquals(ModelSpec.cnn(16, 32), spec);
    assertEquals("cnn:16,32", spec.toString());
    Model net = spec.build(784, 10);
    // 5x5x1x16 + 16, 5x5x16x32 + 32, (32 x 4 x 4) x 10 + 10
    assertEquals(416 + 12_832 + 5_130, net.parameterCount());
    assertEquals(net.parameterCount(), net.initialParameters(3).length);
  }

  @Test
  void shapesItCannotRead_areRefusedWithTheReason() {
    IllegalArgumentException notSquare = assertThrows(IllegalArgumentException.class,
        () -> ModelSpec.cnn(4).build(30, 2));
    assertTrue(notSquare.getMessage().contains("not a square number of pixels"), notSquare.getMessage());
    IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
        () -> ModelSpec.cnn(4, 4, 4).build(28 * 28, 10));
    assertTrue(tooSmall.getMessage().contains("after convolution 3"), tooSmall.getMessage());
    IllegalArgumentException regression = assertThrows(IllegalArgumentException.class,
        () -> ModelSpec.cnn(4).build(64, 0));
    assertTrue(regression.getMessage().contains("classifies"), regression.getMessage());
  }

  /** SameDiff's gradients of the batch's mean loss against central differences, in double precision. */
  @Test
  void gradient_matchesCentralDifferences() {
    Dataset data = images(16, 6, 3, 5);
    ConvNetwork net = ConvNetwork.of(ModelSpec.cnn(2, 3), data.cols(), data.numClasses());
    ConvGradients gradients = new ConvGradients(net, DataType.DOUBLE);
    UniformRandomProvider rng = Seeds.rng(42);
    double[] w = new double[net.parameterCount()];
    for (int i = 0; i < w.length; i++) {
      w[i] = rng.nextDouble() - 0.5; // biases too, away from zero
    }
    int[] order = PermutationSampler.natural(data.rows());
    gradients.setParameters(w);
    gradients.lossAndGradient(data, order, 0, data.rows());
    double[] analytic = gradients.gradientValues();
    double step = 1e-6;
    double worst = 0;
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < w.length; i++) {
      double saved = w[i];
      w[i] = saved + step;
      gradients.setParameters(w);
      double plus = gradients.lossAndGradient(data, order, 0, data.rows());
      w[i] = saved - step;
      gradients.setParameters(w);
      double minus = gradients.lossAndGradient(data, order, 0, data.rows());
      w[i] = saved;
      double numeric = (plus - minus) / (2 * step);
      double error = Math.abs(analytic[i] - numeric) / Math.max(1e-8, Math.abs(analytic[i]) + Math.abs(numeric));
      worst = Math.max(worst, error);
      if (error > 1e-5) {
        failures.add("parameter " + i + ": analytic " + analytic[i] + ", numeric " + numeric);
      }
    }
    assertTrue(failures.isEmpty(), "worst relative error " + worst + ": " + failures);
  }

  /**
   * The hand-written passes against SameDiff's on one fixed batch (odd map sizes, so pooling drops a row, and three
   * input channels into the second convolution): the same logits and the same gradient, to float precision.
   */
  @Test
  void handWrittenPasses_matchTheLibrarysOnAFixedBatch() {
    Dataset data = images(19, 7, 4, 11); // 19 -> 15 -> 7 -> 3 -> 1
    ConvNetwork net = ConvNetwork.of(ModelSpec.cnn(3, 5), data.cols(), data.numClasses());
    float[] w = net.initialParameters(5);
    UniformRandomProvider rng = Seeds.rng(6);
    for (int i = 0; i < w.length; i++) {
      w[i] += (float) (0.1 * (rng.nextDouble() - 0.5)); // biases away from zero too
    }
    int[] order = {6, 0, 3, 3, 1, 5, 2, 4};
    ConvGradients library = new ConvGradients(net, DataType.DOUBLE);
    library.setParameters(w);
    double expectedLoss = library.lossAndGradient(data, order, 1, 6);
    double[] expected = library.gradientValues();
    double[] expectedLogits = library.logits(data, order, 1, 6);
    try (ConvBackprop byHand = new ConvBackprop(net)) {
      byHand.setParameters(w);
      double[] logits = byHand.logits(data, order, 1, 6).clone();
      double loss = byHand.lossAndGradient(data, order, 1, 6);
      float[] gradient = new float[w.length];
      byHand.readGradient(gradient);
      for (int i = 0; i < 6 * data.numClasses(); i++) {
        assertEquals(expectedLogits[i], logits[i], 1e-4 * (1 + Math.abs(expectedLogits[i])), "logit " + i);
      }
      assertEquals(expectedLoss, loss, 1e-5 * expectedLoss);
      double scale = Arrays.stream(expected).map(Math::abs).max().orElse(1);
      for (int i = 0; i < w.length; i++) {
        assertEquals(expected[i], gradient[i], 1e-4 * scale, "gradient " + i + " of " + w.length);
      }
    }
  }

  /** Images whose class is the quadrant holding a bright blob: a CNN learns it within a few epochs. */
  @Test
  void training_learnsWhereTheBlobIs() {
    Dataset train = blobs(16, 320, 7);
    Dataset test = blobs(16, 200, 8);
    try (LocalTrainer trainer = new LocalTrainer(ModelSpec.cnn(4, 8), train.cols(), 4,
        TrainingConfig.of(2, 32, OptimizerSpec.adam(0.01), 1))) {
      float[] initial = trainer.model().initialParameters(1);
      double before = trainer.evaluate(initial, test).accuracy();
      TrainResult result = trainer.train(initial, train, 0);
      double after = trainer.evaluate(result.parameters(), test).accuracy();
      assertTrue(after >= 0.9 && after > before, "accuracy " + before + " -> " + after);
    }
  }

  private static Dataset images(int side, int rows, int classes, long seed) {
    UniformRandomProvider rng = Seeds.rng(seed);
    float[] features = new float[rows * side * side];
    float[] targets = new float[rows];
    for (int i = 0; i < features.length; i++) {
      features[i] = (float) rng.nextDouble();
    }
    for (int r = 0; r < rows; r++) {
      targets[r] = rng.nextInt(classes);
    }
    return new Dataset("random images", features, rows, side * side, targets, classes, names(classes));
  }

  private static Dataset blobs(int side, int rows, long seed) {
    UniformRandomProvider rng = Seeds.rng(seed);
    float[] features = new float[rows * side * side];
    float[] targets = new float[rows];
    int half = side / 2;
    for (int r = 0; r < rows; r++) {
      int quadrant = rng.nextInt(4);
      targets[r] = quadrant;
      int row0 = (quadrant / 2) * half + 1 + rng.nextInt(half - 4);
      int col0 = (quadrant % 2) * half + 1 + rng.nextInt(half - 4);
      for (int i = 0; i < side * side; i++) {
        features[r * side * side + i] = (float) (0.3 * rng.nextDouble());
      }
      for (int y = row0; y < row0 + 3; y++) {
        for (int x = col0; x < col0 + 3; x++) {
          features[r * side * side + y * side + x] = 1f;
        }
      }
    }
    return new Dataset("blobs", features, rows, side * side, targets, 4, names(4));
  }

  private static List<String> names(int classes) {
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      names.add("class " + c);
    }
    return names;
  }
}
