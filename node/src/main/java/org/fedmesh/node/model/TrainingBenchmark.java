package org.fedmesh.node.model;

import java.util.Objects;

import org.apache.commons.rng.sampling.PermutationSampler;
import org.fedmesh.node.data.Dataset;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Measures local training throughput of the hand-written MLP against the same MLP in SameDiff, in
 * the same JVM on the same data: the evidence the design asks for before hand-written gradients
 * replace the library's autodiff. The model is {@code inputs-128-classes} (784-128-10 on
 * Fashion-MNIST), batch 64, Adam(0.001), starting from the same parameters.
 */
public final class TrainingBenchmark {

  public static final int HIDDEN = 128;
  public static final int BATCH_SIZE = 64;
  private static final OptimizerSpec.Adam ADAM = OptimizerSpec.adam(0.001);

  /**
   * @param samples                 samples processed per timed run of each implementation
   * @param repeats                 timed runs per implementation (alternating); the best counts
   * @param handWrittenSamplesPerSecond best throughput of {@link LocalTrainer}
   * @param sameDiffSamplesPerSecond    best throughput of SameDiff {@code fit}
   * @param nativeThreads           ND4J's native thread limit during the run ({@link NativeThreads})
   */
  public record Result(String model, int batchSize, long samples, int repeats, double handWrittenSamplesPerSecond,
             double sameDiffSamplesPerSecond, int nativeThreads) {

    /** How many times faster the hand-written model trains. */
    public double speedup() {
      return handWrittenSamplesPerSecond / sameDiffSamplesPerSecond;
    }
  }

  private TrainingBenchmark() {
  }

  /** One warm-up and {@code repeats} timed runs of {@code samples} samples for each implementation. */
  public static Result run(Dataset data, long samples, int repeats) {
    Objects.requireNonNull(data, "data");
    if (!data.isClassification()) {
      throw new IllegalArgumentException("the benchmark trains a classifier; " + data.name() + " has no classes");
    }
    if (samples < BATCH_SIZE || repeats < 1) {
      throw new IllegalArgumentException("need samples >= " + BATCH_SIZE + " and repeats >= 1");
    }
    // Whole epochs over a prefix of the data, so both sides see the same number of full batches.
    int rows = (int) Math.min(data.rows(), samples) / BATCH_SIZE * BATCH_SIZE;
    if (rows == 0) {
      throw new IllegalArgumentException(data.name() + " has fewer than " + BATCH_SIZE + " rows");
    }
    int epochs = (int) Math.max(1, Math.round((double) samples / rows));
    Dataset subset = data.subset(PermutationSampler.natural(rows));
    ModelSpec spec = ModelSpec.mlp(HIDDEN);

    try (LocalTrainer trainer = new LocalTrainer(spec, data.cols(), data.numClasses(),
        TrainingConfig.of(epochs, BATCH_SIZE, ADAM, 1))) {
      float[] initial = trainer.model().initialParameters(1);
      DenseNetwork net = (DenseNetwork) trainer.model();
      SameDiffMlp sameDiff = new SameDiffMlp(widths(net), ADAM);
      DataSet sameDiffData = SameDiffMlp.toDataSet(subset);

      // Warm-up (JIT, native libraries, buffers) on up to 100 batches.
      Dataset warmupData = subset.subset(PermutationSampler.natural(Math.min(rows, 100 * BATCH_SIZE)));
      try (LocalTrainer warmup = new LocalTrainer(spec, data.cols(), data.numClasses(),
          TrainingConfig.of(1, BATCH_SIZE, ADAM, 1))) {
        warmup.train(initial, warmupData, 0);
      }
      sameDiff.setParameters(initial);
      sameDiff.fit(SameDiffMlp.toDataSet(warmupData), BATCH_SIZE, 1);

      double bestHand = 0;
      double bestSameDiff = 0;
      long processed = (long) rows * epochs;
      for (int r = 0; r < repeats; r++) {
        long start = System.nanoTime();
        trainer.train(initial, subset, r);
        bestHand = Math.max(bestHand, processed / seconds(start));

        sameDiff.setParameters(initial);
        start = System.nanoTime();
        sameDiff.fit(sameDiffData, BATCH_SIZE, epochs);
        bestSameDiff = Math.max(bestSameDiff, processed / seconds(start));
      }
      return new Result(net.toString(), BATCH_SIZE, processed, repeats, bestHand, bestSameDiff,
          NativeThreads.current());
    }
  }

  static int[] widths(DenseNetwork net) {
    int[] widths = new int[net.layerCount() + 1];
    for (int l = 0; l < widths.length; l++) {
      widths[l] = net.width(l);
    }
    return widths;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
