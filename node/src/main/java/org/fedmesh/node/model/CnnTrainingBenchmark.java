package org.fedmesh.node.model;

import java.util.Objects;
import org.apache.commons.rng.sampling.PermutationSampler;
import org.fedmesh.node.data.Dataset;

/**
 * Measures local training throughput of a convolutional model with fedmesh's hand-written passes
 * ({@link ConvBackprop}) against the library's (SameDiff on ND4J's convolution ops), same data, same start, one
 * timed pass at a time. Momentum SGD (0.05, 0.9), batch 64: what the demo trains images with.
 */
public final class CnnTrainingBenchmark implements AutoCloseable {
  public static final ModelSpec DEFAULT_MODEL = ModelSpec.cnn(16, 32);
  public static final int BATCH_SIZE = 64;
  public static final OptimizerSpec OPTIMIZER = OptimizerSpec.sgd(0.05, 0.9);

  private final Dataset subset;
  private final int epochs;
  private final LocalTrainer handWritten;
  private final LocalTrainer library;
  private final float[] initial;
  private int passes;

  private CnnTrainingBenchmark(Dataset subset, int epochs, LocalTrainer handWritten, LocalTrainer library) {
    this.subset = subset;
    this.epochs = epochs;
    this.handWritten = handWritten;
    this.library = library;
    this.initial = handWritten.model().initialParameters(1);
  }

  /** Both trainers on whole epochs over a prefix of about {@code samples} rows, warmed up on 20 batches each. */
  public static CnnTrainingBenchmark prepare(Dataset data, long samples, ModelSpec spec) {
    Objects.requireNonNull(data, "data");
    if (spec.kind() != ModelSpec.Kind.CNN) {
      throw new IllegalArgumentException("the CNN benchmark needs a cnn model, not " + spec);
    }
    Dataset subset = TrainingBenchmark.wholeBatches(data, samples, BATCH_SIZE);
    int rows = subset.rows();
    int epochs = TrainingBenchmark.epochsOver(subset, samples);
    TrainingConfig config = TrainingConfig.of(epochs, BATCH_SIZE, OPTIMIZER, 1);
    LocalTrainer handWritten = new LocalTrainer(spec, data.cols(), data.numClasses(), config);
    LocalTrainer library = LocalTrainer.withLibraryPasses(spec, data.cols(), data.numClasses(), config);
    CnnTrainingBenchmark bench = new CnnTrainingBenchmark(subset, epochs, handWritten, library);
    Dataset warmup = subset.subset(PermutationSampler.natural(Math.min(rows, 20 * BATCH_SIZE)));
    handWritten.train(bench.initial, warmup, 0);
    library.train(bench.initial, warmup, 0);
    return bench;
  }

  public Dataset rows() {
    return subset;
  }

  public int epochs() {
    return epochs;
  }

  public long samplesPerPass() {
    return (long) subset.rows() * epochs;
  }

  public String model() {
    return handWritten.model().toString();
  }

  /** Multiply-adds one training sample costs: forward, weight gradients, and input gradients past the first layer. */
  public long trainingMultiplyAdds() {
    return ((ConvNetwork) handWritten.model()).trainingMultiplyAdds();
  }

  /** One timed pass with the hand-written passes: samples per second. */
  public double handWrittenPass() {
    return timed(handWritten);
  }

  /** One timed pass with SameDiff's: samples per second. */
  public double libraryPass() {
    return timed(library);
  }

  private double timed(LocalTrainer trainer) {
    long start = System.nanoTime();
    trainer.train(initial, subset, ++passes);
    return samplesPerPass() / ((System.nanoTime() - start) / 1e9);
  }

  @Override
  public void close() {
    handWritten.close();
    library.close();
  }
}
