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
 *
 * <p>One timed pass at a time, so that the caller can alternate them with other references (the numpy
 * script of {@code bench training}) and repeat them until the figures settle.
 */
public final class TrainingBenchmark implements AutoCloseable {

  public static final int HIDDEN = 128;
  public static final int BATCH_SIZE = 64;
  public static final double LEARNING_RATE = 0.001;
  private static final OptimizerSpec.Adam ADAM = OptimizerSpec.adam(LEARNING_RATE);

  private final Dataset subset;
  private final int epochs;
  private final LocalTrainer trainer;
  private final float[] initial;
  private final SameDiffMlp sameDiff;
  private final DataSet sameDiffData;
  private int passes;

  private TrainingBenchmark(Dataset subset, int epochs, LocalTrainer trainer, float[] initial, SameDiffMlp sameDiff,
                            DataSet sameDiffData) {
    this.subset = subset;
    this.epochs = epochs;
    this.trainer = trainer;
    this.initial = initial;
    this.sameDiff = sameDiff;
    this.sameDiffData = sameDiffData;
  }

  /**
   * Builds both implementations on whole epochs over a prefix of {@code data} of about {@code samples} rows per
   * pass, and warms both up (JIT, native libraries, buffers) on up to 100 batches.
   */
  public static TrainingBenchmark prepare(Dataset data, long samples) {
    Objects.requireNonNull(data, "data");
    if (!data.isClassification()) {
      throw new IllegalArgumentException("the benchmark trains a classifier; " + data.name() + " has no classes");
    }
    Dataset subset = wholeBatches(data, samples, BATCH_SIZE);
    int rows = subset.rows();
    int epochs = epochsOver(subset, samples);
    ModelSpec spec = ModelSpec.mlp(HIDDEN);
    LocalTrainer trainer = new LocalTrainer(spec, data.cols(), data.numClasses(),
        TrainingConfig.of(epochs, BATCH_SIZE, ADAM, 1));
    float[] initial = trainer.model().initialParameters(1);
    SameDiffMlp sameDiff = new SameDiffMlp(widths((DenseNetwork) trainer.model()), ADAM);

    Dataset warmupData = subset.subset(PermutationSampler.natural(Math.min(rows, 100 * BATCH_SIZE)));
    try (LocalTrainer warmup = new LocalTrainer(spec, data.cols(), data.numClasses(),
        TrainingConfig.of(1, BATCH_SIZE, ADAM, 1))) {
      warmup.train(initial, warmupData, 0);
    }
    sameDiff.setParameters(initial);
    sameDiff.fit(SameDiffMlp.toDataSet(warmupData), BATCH_SIZE, 1);
    return new TrainingBenchmark(subset, epochs, trainer, initial, sameDiff, SameDiffMlp.toDataSet(subset));
  }

  /** The rows each pass trains on (a prefix of the data, whole batches). */
  public Dataset rows() {
    return subset;
  }

  public int epochs() {
    return epochs;
  }

  /** Samples one pass processes: rows times epochs. */
  public long samplesPerPass() {
    return (long) subset.rows() * epochs;
  }

  /** The model, as {@link DenseNetwork#toString()} names it, with its widths and parameter count. */
  public String model() {
    return trainer.model().toString();
  }

  /** Multiply-adds of training on one sample ({@link DenseNetwork#trainingMultiplyAdds()}). */
  public long trainingMultiplyAdds() {
    return ((DenseNetwork) trainer.model()).trainingMultiplyAdds();
  }

  /** One timed pass of the hand-written trainer from the initial parameters: samples per second. */
  public double handWrittenPass() {
    long start = System.nanoTime();
    trainer.train(initial, subset, passes++);
    return samplesPerPass() / seconds(start);
  }

  /** One timed pass of SameDiff's {@code fit} from the same initial parameters: samples per second. */
  public double sameDiffPass() {
    sameDiff.setParameters(initial);
    long start = System.nanoTime();
    sameDiff.fit(sameDiffData, BATCH_SIZE, epochs);
    return samplesPerPass() / seconds(start);
  }

  @Override
  public void close() {
    trainer.close();
  }

  /**
   * The prefix of {@code data} that a pass trains on: at most {@code samples} rows, whole batches only, so that every
   * implementation sees the same number of full batches.
   */
  static Dataset wholeBatches(Dataset data, long samples, int batchSize) {
    if (samples < batchSize) {
      throw new IllegalArgumentException("need samples >= " + batchSize);
    }
    int rows = (int) Math.min(data.rows(), samples) / batchSize * batchSize;
    if (rows == 0) {
      throw new IllegalArgumentException(data.name() + " has fewer than " + batchSize + " rows");
    }
    return data.subset(PermutationSampler.natural(rows));
  }

  /** Whole epochs over {@code rows} that come closest to {@code samples}, at least one. */
  static int epochsOver(Dataset rows, long samples) {
    return (int) Math.max(1, Math.round((double) samples / rows.rows()));
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
