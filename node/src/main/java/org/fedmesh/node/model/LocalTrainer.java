package org.fedmesh.node.model;

import java.util.Arrays;
import java.util.Objects;

import org.apache.commons.rng.sampling.PermutationSampler;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Seeds;
import org.fedmesh.node.privacy.DpSettings;
import org.fedmesh.node.privacy.PrivateRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Trains one member's copy of the global model on its local data, on the calling thread: forward
 * and backward passes on ND4J ({@link Backprop} for dense models, {@link ConvBackprop} for convolutional ones),
 * the optimizer step in Java.
 *
 * <p>Each instance owns its native buffers and optimizer state and shares no mutable state with
 * other instances, so several members in one JVM can train at the same time on different threads.
 * One instance must only be used by one thread at a time. {@link #close()} frees its native memory.
 */
public final class LocalTrainer implements AutoCloseable {

  /** Rows per forward pass in {@link #evaluate}; large batches amortise ND4J's per-op cost. */
  static final int EVALUATION_BATCH = 1000;
  /** A CNN's buffers grow with the batch (im2col: 25 values per pixel and channel), so it evaluates in smaller ones. */
  static final int CNN_EVALUATION_BATCH = 128;
  /** Tells the mirroring's random stream from the shuffle's, for the same seed, round and epoch. */
  private static final long MIRRORS = 0x6d69_7272_6f72L;

  private final Model model;
  private final TrainingConfig config;
  private final Gradients backprop;
  private final LocalOptimizer optimizer;

  public LocalTrainer(ModelSpec spec, int inputs, int numClasses, TrainingConfig config) {
    this(spec, inputs, numClasses, config, DataType.FLOAT);
  }

  /**
   * With a choice of precision for the forward and backward passes: DOUBLE for gradient checks,
   * FLOAT (the default) for speed. Weights and optimizer state are float either way, like the
   * vectors the members exchange.
   */
  LocalTrainer(ModelSpec spec, int inputs, int numClasses, TrainingConfig config, DataType dataType) {
    this(Objects.requireNonNull(spec, "spec").build(inputs, numClasses), config, dataType, false);
  }

  /** A convolutional model trained with the library's passes (SameDiff), to measure against ({@code bench}). */
  static LocalTrainer withLibraryPasses(ModelSpec spec, int inputs, int numClasses, TrainingConfig config) {
    if (spec.kind() != ModelSpec.Kind.CNN) {
      throw new IllegalArgumentException("library passes are built for cnn models only, not " + spec);
    }
    return new LocalTrainer(spec.build(inputs, numClasses), config, DataType.FLOAT, true);
  }

  private LocalTrainer(Model model, TrainingConfig config, DataType dataType, boolean libraryPasses) {
    this.config = Objects.requireNonNull(config, "config");
    this.model = model;
    if (model instanceof ConvNetwork conv) {
      // The hand-written passes are several times faster; the library's serve DOUBLE (gradient checks) and bench.
      this.backprop = dataType == DataType.FLOAT && !libraryPasses ? new ConvBackprop(conv)
          : new ConvGradients(conv, dataType);
    } else {
      this.backprop = new Backprop((DenseNetwork) model, dataType);
    }
    this.optimizer = LocalOptimizer.create(config.optimizer(), model.parameterCount());
    if (config.augmentation() == TrainingConfig.Augmentation.HFLIP && !(model instanceof ConvNetwork)) {
      throw new IllegalArgumentException("augmentation hflip mirrors images: it needs a cnn model, not "
          + model.spec());
    }
  }

  public Model model() {
    return model;
  }

  public TrainingConfig config() {
    return config;
  }

  /**
   * Runs {@code localEpochs} of minibatch training starting from {@code globalParameters}, with a
   * fresh optimizer state and a shuffle order derived from the configured seed, {@code round} and
   * the epoch (same inputs, same result).
   *
   * @throws TrainingDivergedException if a batch loss or the result is not finite
   */
  public TrainResult train(float[] globalParameters, Dataset data, int round) {
    requireParameters(globalParameters);
    requireData(data);
    // The weights live in Java, where the optimizer updates them; ND4J gets a copy for each batch.
    float[] weights = globalParameters.clone();
    float[] global = config.proximalMu() > 0 ? globalParameters.clone() : null;
    float mu = (float) config.proximalMu();
    float[] gradient = new float[weights.length];
    optimizer.reset();
    int rows = data.rows();
    int batchSize = Math.min(config.batchSize(), rows);
    int[] order = new int[rows];
    int iteration = 0;
    double lossSum = 0;
    int batches = 0;
    for (int epoch = 0; epoch < config.localEpochs(); epoch++) {
      for (int i = 0; i < rows; i++) {
        order[i] = i;
      }
      PermutationSampler.shuffle(Seeds.rng(Seeds.derive(config.seed(), round, epoch)), order);
      Dataset epochData = config.augmentation() == TrainingConfig.Augmentation.HFLIP
          ? ImageMirroring.randomlyMirrored(data, Seeds.rng(Seeds.derive(config.seed(), round, epoch, MIRRORS)))
          : data;
      lossSum = 0;
      batches = 0;
      for (int from = 0; from < rows; from += batchSize) {
        int count = Math.min(batchSize, rows - from);
        backprop.setParameters(weights);
        double loss = backprop.lossAndGradient(epochData, order, from, count);
        if (!Double.isFinite(loss)) {
          throw new TrainingDivergedException("training " + model.spec() + " on " + data.name()
              + " diverged in round " + round + ", epoch " + epoch + ", batch " + batches
              + ": loss is " + loss + " (learning rate " + config.optimizer().learningRate()
              + " too high, or unscaled features?)");
        }
        backprop.readGradient(gradient);
        if (global != null) {
          FedProx.addGradient(gradient, weights, global, mu);
        }
        optimizer.step(weights, gradient, iteration++);
        lossSum += loss;
        batches++;
      }
    }
    int bad = firstNonFinite(weights);
    if (bad >= 0) {
      throw new TrainingDivergedException("training " + model.spec() + " on " + data.name() + " in round "
          + round + " produced a non-finite parameter at index " + bad + ": " + weights[bad]);
    }
    return new TrainResult(weights, lossSum / batches, rows);
  }

  /**
   * DP-SGD (Abadi et al. 2016) from {@code globalParameters}: {@link DpSettings#stepsPerRound} steps, each sampling
   * every record with probability q (Poisson sampling), summing the records' gradients clipped to norm C, adding
   * N(0, (z·C)²) noise to each coordinate and dividing by the expected batch q·n; then the configured optimizer
   * steps. Sampling and noise come from {@code random}, never from the configured seed. The batch size only sets how
   * many sampled records go through one pass.
   *
   * @throws TrainingDivergedException if a batch loss or the result is not finite
   */
  public TrainResult trainPrivately(float[] globalParameters, Dataset data, DpSettings dp, PrivateRandom random) {
    requireParameters(globalParameters);
    requireData(data);
    if (dp.level() != DpSettings.Level.RECORD) {
      throw new IllegalArgumentException("DP-SGD needs record-level settings, got " + dp);
    }
    float[] weights = globalParameters.clone();
    float[] global = config.proximalMu() > 0 ? globalParameters.clone() : null;
    float mu = (float) config.proximalMu();
    float[] sum = new float[weights.length];
    float[] gradient = new float[weights.length];
    optimizer.reset();
    int rows = data.rows();
    int chunkSize = Math.min(config.batchSize(), rows);
    int[] chunk = new int[chunkSize];
    double expectedBatch = dp.sampleRate() * rows;
    double noiseSd = dp.noise() * dp.clip();
    long steps = dp.stepsPerRound(config.localEpochs());
    double lossSum = 0;
    long sampled = 0;
    for (long step = 0; step < steps; step++) {
      backprop.setParameters(weights);
      Arrays.fill(sum, 0);
      int filled = 0;
      for (int r = 0; r < rows; r++) {
        if (random.nextDouble() < dp.sampleRate()) {
          chunk[filled++] = r;
          if (filled == chunkSize) {
            lossSum += backprop.addClippedGradients(data, chunk, 0, chunkSize, filled, dp.clip(), sum);
            sampled += filled;
            filled = 0;
          }
        }
      }
      if (filled > 0) {
        Arrays.fill(chunk, filled, chunkSize, chunk[0]);
        lossSum += backprop.addClippedGradients(data, chunk, 0, chunkSize, filled, dp.clip(), sum);
        sampled += filled;
      }
      if (!Double.isFinite(lossSum)) {
        throw new TrainingDivergedException("DP-SGD on " + data.name() + " diverged at step " + step
            + ": loss is " + lossSum + " (learning rate " + config.optimizer().learningRate() + " too high?)");
      }
      for (int j = 0; j < gradient.length; j++) {
        gradient[j] = (float) ((sum[j] + noiseSd * random.nextGaussian()) / expectedBatch);
      }
      if (global != null) {
        FedProx.addGradient(gradient, weights, global, mu);
      }
      optimizer.step(weights, gradient, (int) step);
    }
    int bad = firstNonFinite(weights);
    if (bad >= 0) {
      throw new TrainingDivergedException("DP-SGD on " + data.name() + " produced a non-finite parameter at index "
          + bad + ": " + weights[bad]);
    }
    return new TrainResult(weights, sampled == 0 ? 0 : lossSum / sampled, rows);
  }

  /**
   * Correct predictions per class, then rows per class, of {@code parameters} on {@code data} (a classification
   * set): the counts a member adds to the secure evaluation.
   */
  public long[] classCounts(float[] parameters, Dataset data) {
    requireParameters(parameters);
    requireData(data);
    if (!data.isClassification()) {
      throw new IllegalArgumentException(data.name() + " has numeric targets: there are no classes to count");
    }
    backprop.setParameters(parameters);
    int classes = data.numClasses();
    long[] counts = new long[2 * classes];
    int rows = data.rows();
    int[] order = PermutationSampler.natural(rows);
    int batch = model instanceof ConvNetwork ? CNN_EVALUATION_BATCH : EVALUATION_BATCH;
    for (int from = 0; from < rows; from += batch) {
      int count = Math.min(batch, rows - from);
      double[] logits = backprop.logits(data, order, from, count);
      for (int i = 0; i < count; i++) {
        int label = (int) data.targets()[from + i];
        counts[classes + label]++;
        if (backprop.head().predict(logits, i, model.outputs()) == label) {
          counts[label]++;
        }
      }
    }
    return counts;
  }

  /** Loss and accuracy (classification) or mean squared error (regression) of {@code parameters}. */
  public Evaluation evaluate(float[] parameters, Dataset data) {
    requireParameters(parameters);
    requireData(data);
    backprop.setParameters(parameters);
    int rows = data.rows();
    int[] order = PermutationSampler.natural(rows);
    OutputHead head = backprop.head();
    int outputs = model.outputs();
    int batch = model instanceof ConvNetwork ? CNN_EVALUATION_BATCH : EVALUATION_BATCH;
    float[] targets = new float[Math.min(batch, rows)];
    double lossSum = 0;
    long correct = 0;
    for (int from = 0; from < rows; from += batch) {
      int count = Math.min(batch, rows - from);
      double[] logits = backprop.logits(data, order, from, count);
      System.arraycopy(data.targets(), from, targets, 0, count);
      lossSum += head.lossAndGradient(logits, targets, count, outputs, null, 0);
      if (data.isClassification()) {
        for (int i = 0; i < count; i++) {
          if (head.predict(logits, i, outputs) == (int) targets[i]) {
            correct++;
          }
        }
      }
    }
    double loss = lossSum / rows;
    return data.isClassification()
        ? new Evaluation(loss, (double) correct / rows, Double.NaN)
        : new Evaluation(loss, Double.NaN, loss);
  }

  private void requireParameters(float[] parameters) {
    Objects.requireNonNull(parameters, "parameters");
    if (parameters.length != model.parameterCount()) {
      throw new IllegalArgumentException(model.spec() + " on " + model.inputs() + " inputs has "
          + model.parameterCount() + " parameters, got a vector of " + parameters.length);
    }
    int bad = firstNonFinite(parameters);
    if (bad >= 0) {
      throw new IllegalArgumentException("parameter " + bad + " is not finite: " + parameters[bad]);
    }
  }

  private void requireData(Dataset data) {
    Objects.requireNonNull(data, "data");
    if (data.cols() != model.inputs()) {
      throw new IllegalArgumentException(data.name() + " has " + data.cols() + " feature columns, the model "
          + model.spec() + " expects " + model.inputs());
    }
    if (data.numClasses() != model.numClasses()) {
      throw new IllegalArgumentException(data.name() + " has " + describe(data.numClasses())
          + ", the model " + model.spec() + " was built for " + describe(model.numClasses()));
    }
    if (data.rows() == 0) {
      throw new IllegalArgumentException(data.name() + " has no rows");
    }
  }

  private static String describe(int numClasses) {
    return numClasses == 0 ? "numeric targets" : numClasses + " classes";
  }

  private static int firstNonFinite(float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Frees the native buffers; the trainer cannot be used afterwards. */
  @Override
  public void close() {
    backprop.close();
  }
}
