package org.fedmesh.node.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.rng.sampling.PermutationSampler;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Scaler;
import org.fedmesh.node.data.SyntheticData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class TrainingBenchmarkTest {

  private static final Dataset DATA = standardized(SyntheticData.classification(4, 640, 20, 3));

  private static Dataset standardized(Dataset data) {
    return Scaler.standardize(data).apply(data);
  }

  /** The benchmark compares like with like only if both implementations train the same model. */
  @Test
  void sameDiffMlp_tenAdamSteps_endWhereTheHandWrittenModelEnds() {
    DenseNetwork net = DenseNetwork.of(ModelSpec.mlp(16), 20, 3);
    OptimizerSpec.Adam adam = OptimizerSpec.adam(0.01);
    float[] initial = net.initialParameters(5);

    SameDiffMlp sameDiff = new SameDiffMlp(TrainingBenchmark.widths(net), adam);
    sameDiff.setParameters(initial);
    sameDiff.fit(SameDiffMlp.toDataSet(DATA), 64, 1);
    float[] bySameDiff = sameDiff.parameters();

    float[] byHand = initial.clone();
    float[] gradient = new float[byHand.length];
    LocalOptimizer optimizer = LocalOptimizer.create(adam, byHand.length);
    int[] inOrder = PermutationSampler.natural(DATA.rows());
    try (Backprop backprop = new Backprop(net, DataType.FLOAT)) {
      for (int batch = 0; batch < 10; batch++) {
        backprop.setParameters(byHand);
        backprop.lossAndGradient(DATA, inOrder, batch * 64, 64);
        backprop.readGradient(gradient);
        optimizer.step(byHand, gradient, batch);
      }
    }

    double maxDifference = 0;
    double maxMove = 0;
    for (int i = 0; i < initial.length; i++) {
      maxDifference = Math.max(maxDifference, Math.abs(bySameDiff[i] - byHand[i]));
      maxMove = Math.max(maxMove, Math.abs(byHand[i] - initial[i]));
    }
    assertEquals(initial.length, bySameDiff.length);
    assertTrue(maxMove > 0.05, "training moved the weights by at most " + maxMove);
    assertTrue(maxDifference < 1e-5, "SameDiff and hand-written differ by up to " + maxDifference);
  }

  @Test
  void passes_onSmallData_measureBothImplementationsOnWholeBatches() {
    try (TrainingBenchmark bench = TrainingBenchmark.prepare(DATA, 1280)) {
      assertEquals(1280, bench.samplesPerPass());
      assertEquals(0, bench.rows().rows() % TrainingBenchmark.BATCH_SIZE);
      assertTrue(bench.model().startsWith("mlp:128"), bench.model());
      assertTrue(bench.handWrittenPass() > 0);
      assertTrue(bench.sameDiffPass() > 0);
    }
  }
}
