package org.fedmesh.node.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Seeds;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * DP-SGD's per-record clipping: the batched pass of the dense models against one pass per record, in double
 * precision, with some records clipped and some not, and padding rows that must count for nothing.
 */
class PerRecordClippingTest {
  private static final int ROWS = 12;
  private static final int COLS = 6;

  @Test
  void mlp_batchedClippingEqualsOneRecordAtATime() {
    assertBatchedEqualsOneByOne(ModelSpec.mlp(7, 5), 3);
  }

  @Test
  void logistic_batchedClippingEqualsOneRecordAtATime() {
    assertBatchedEqualsOneByOne(ModelSpec.logistic(), 2);
  }

  @Test
  void softmax_batchedClippingEqualsOneRecordAtATime() {
    assertBatchedEqualsOneByOne(ModelSpec.softmax(), 4);
  }

  @Test
  void clipAboveEveryNorm_givesTheSumOfTheRecordsGradients() {
    Dataset data = randomData(3, 11);
    DenseNetwork net = DenseNetwork.of(ModelSpec.mlp(7), COLS, 3);
    try (Backprop backprop = new Backprop(net, DataType.DOUBLE)) {
      backprop.setParameters(randomWeights(net.parameterCount(), 5));
      int[] order = natural(ROWS);
      float[] clippedSum = new float[net.parameterCount()];
      backprop.addClippedGradients(data, order, 0, ROWS, ROWS, 1e9, clippedSum);
      backprop.lossAndGradient(data, order, 0, ROWS);
      double[] mean = backprop.gradientValues();
      for (int j = 0; j < mean.length; j++) {
        assertEquals(mean[j] * ROWS, clippedSum[j], 1e-5 * Math.max(1, Math.abs(mean[j] * ROWS)), "coordinate " + j);
      }
    }
  }

  private static void assertBatchedEqualsOneByOne(ModelSpec spec, int numClasses) {
    Dataset data = randomData(numClasses, 3);
    DenseNetwork net = DenseNetwork.of(spec, COLS, numClasses);
    try (Backprop backprop = new Backprop(net, DataType.DOUBLE)) {
      backprop.setParameters(randomWeights(net.parameterCount(), 9));
      int[] order = natural(ROWS);
      // The norms of these records' gradients, to pick a clip that cuts some and leaves others.
      List<Double> norms = new ArrayList<>();
      float[] row = new float[net.parameterCount()];
      for (int r = 0; r < ROWS; r++) {
        backprop.lossAndGradient(data, order, r, 1);
        backprop.readGradient(row);
        double squares = 0;
        for (float v : row) {
          squares += (double) v * v;
        }
        norms.add(Math.sqrt(squares));
      }
      double clip = norms.stream().sorted().toList().get(ROWS / 2);
      int real = ROWS - 3; // the last three rows pad the batch
      float[] batched = new float[net.parameterCount()];
      float[] oneByOne = new float[net.parameterCount()];
      double batchedLoss = backprop.addClippedGradients(data, order, 0, ROWS, real, clip, batched);
      double oneByOneLoss = Gradients.addClippedOneByOne(backprop, data, order, 0, real, clip, oneByOne);

      assertEquals(oneByOneLoss, batchedLoss, 1e-9 * Math.abs(oneByOneLoss), "summed loss");
      for (int j = 0; j < batched.length; j++) {
        assertEquals(oneByOne[j], batched[j], 1e-5 * Math.max(1, Math.abs(oneByOne[j])), "coordinate " + j);
      }
      long clipped = norms.subList(0, real).stream().filter(n -> n > clip).count();
      assertTrue(clipped > 0 && clipped < real, "the clip cuts some records and not others: " + clipped);
    }
  }

  private static int[] natural(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }

  private static double[] randomWeights(int count, long seed) {
    UniformRandomProvider rng = Seeds.rng(seed);
    double[] w = new double[count];
    for (int i = 0; i < count; i++) {
      w[i] = rng.nextDouble() - 0.5;
    }
    return w;
  }

  private static Dataset randomData(int numClasses, long seed) {
    UniformRandomProvider rng = Seeds.rng(seed);
    float[] features = new float[ROWS * COLS];
    for (int i = 0; i < features.length; i++) {
      // Rows of very different scales, so that their gradients' norms differ widely.
      features[i] = (float) (Seeds.gaussian(rng) * (1 + i / COLS));
    }
    float[] targets = new float[ROWS];
    List<String> names = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      names.add("c" + c);
    }
    for (int r = 0; r < ROWS; r++) {
      targets[r] = r < numClasses ? r : rng.nextInt(numClasses);
    }
    return new Dataset("random", features, ROWS, COLS, targets, numClasses, names);
  }
}
