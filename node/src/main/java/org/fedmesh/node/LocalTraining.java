package org.fedmesh.node;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.fedmesh.mpc.FeatureSums;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.model.LocalTrainer;
import org.fedmesh.node.model.ModelSpec;
import org.fedmesh.node.model.TrainResult;
import org.fedmesh.node.model.TrainingConfig;
import org.fedmesh.node.privacy.DpGuarantee;
import org.fedmesh.node.privacy.DpSettings;
import org.fedmesh.node.privacy.MemberLevelNoise;
import org.fedmesh.node.privacy.PrivacyBudgetSpentException;
import org.fedmesh.node.privacy.PrivateRandom;
import org.fedmesh.node.round.ConsortiumScaling;
import org.fedmesh.node.round.LocalUpdates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's updates from ND4J training on its own data set, with differential privacy when configured: DP-SGD
 * (record level) or a clipped update plus this member's noise share (member level).
 *
 * <p>The accountant counts every update this member released, not the rounds committed: an update whose attempt
 * was abandoned after its sum may have become known was released as well, so counting commits could understate
 * epsilon. Under DP an update goes into the sum with weight 1 and no training loss: the sample count and the loss
 * are figures of the member's data that carry no noise.
 *
 * <p>Each update also carries the secure evaluation's counts: the model it was trained from, judged on this
 * member's held-out rows ({@link org.fedmesh.node.round.SecureEvaluation}).
 *
 * <p>With {@link ConsortiumScaling} the data is handed over unscaled: this member first contributes its feature
 * sums (the statistics round), then trains on its rows scaled with the statistics the model holds.
 */
public final class LocalTraining implements LocalUpdates {
  private static final Logger log = LoggerFactory.getLogger(LocalTraining.class);

  private final LocalTrainer trainer;
  private final ModelSpec spec;
  private final TrainingConfig config;
  private final Dataset data;
  private final int numClasses;
  private final long modelSeed;
  private final DpSettings dp;
  private final int noiseShares;
  private final PrivateRandom random;
  private final MemberLevelNoise memberNoise;
  private final long stepsPerRound;
  private final long maxReleases;
  private final AtomicLong releases = new AtomicLong();
  private final Dataset heldOut;
  private final ConsortiumScaling scaling;
  /** The rows scaled with the statistics in {@link #scaledWith}: they change only once, after the first round. */
  private float[] scaledWith;
  private Dataset scaledData;
  private Dataset scaledHeldOut;

  public LocalTraining(ModelSpec spec, TrainingConfig config, Dataset data, int numClasses, long modelSeed) {
    this(spec, config, data, numClasses, modelSeed, DpSettings.NONE, 1, null);
  }

  public LocalTraining(ModelSpec spec, TrainingConfig config, Dataset data, int numClasses, long modelSeed,
      DpSettings dp, int noiseShares, Dataset heldOut) {
    this(spec, config, data, numClasses, modelSeed, dp, noiseShares, heldOut, false);
  }

  /**
   * @param noiseShares member level: how many members' noise shares make the whole noise
   *                    ({@link NodeSettings#noiseShares}); each member adds its share for that many
   * @param heldOut     rows this member does not train on, on which it judges each model it trains from for the
   *                    secure evaluation (classification only); null or empty for none
   * @param consortiumStatistics standardise with the consortium's statistics ({@link ConsortiumScaling}); then
   *                    {@code data} and {@code heldOut} are unscaled
   */
  public LocalTraining(ModelSpec spec, TrainingConfig config, Dataset data, int numClasses, long modelSeed,
      DpSettings dp, int noiseShares, Dataset heldOut, boolean consortiumStatistics) {
    if (data.rows() == 0) {
      throw new IllegalArgumentException("data set " + data.name() + " has no rows to train on");
    }
    if (consortiumStatistics && dp.enabled()) {
      // The statistics round releases sums of the records without noise, which no DP accounting covers.
      throw new IllegalArgumentException("standardising with the consortium's statistics releases them without"
          + " noise; with differential privacy scale with fixed constants (divide:C) or not at all");
    }
    this.scaling = consortiumStatistics ? new ConsortiumScaling(data.cols()) : ConsortiumScaling.NONE;
    this.trainer = new LocalTrainer(spec, data.cols(), numClasses, config);
    this.spec = spec;
    this.config = config;
    this.data = data;
    this.numClasses = numClasses;
    this.modelSeed = modelSeed;
    this.dp = dp;
    this.noiseShares = noiseShares;
    this.random = dp.enabled() ? new PrivateRandom() : null;
    this.memberNoise = dp.level() == DpSettings.Level.MEMBER ? new MemberLevelNoise(dp, noiseShares, random) : null;
    this.stepsPerRound = dp.stepsPerRound(config.localEpochs());
    this.maxReleases = dp.maxRounds(stepsPerRound); // no limit without DP or without a budget
    this.heldOut = heldOut;
  }

  /** The same training on the same data with a trainer of its own, for a member started again in this JVM. */
  public LocalTraining fresh() {
    return new LocalTraining(spec, config, data, numClasses, modelSeed, dp, noiseShares, heldOut, scaling.enabled());
  }

  @Override
  public int parameterCount() {
    return trainer.model().parameterCount() + scaling.sectionLength();
  }

  @Override
  public ConsortiumScaling consortiumScaling() {
    return scaling;
  }

  /** Correct and held-out rows per class, for every classification model, held-out rows or not. */
  @Override
  public int evaluationSlots() {
    return numClasses >= 2 ? 2 * numClasses : 0;
  }

  @Override
  public float[] initialParameters() {
    float[] network = trainer.model().initialParameters(modelSeed);
    return Arrays.copyOf(network, network.length + scaling.sectionLength()); // statistics not learnt yet
  }

  @Override
  public LocalUpdate train(float[] globalParameters, long round) {
    if (scaling.needsStatistics(globalParameters)) {
      return LocalUpdate.statistics(FeatureSums.of(data.features(), data.rows(), data.cols(), data.name()));
    }
    float[] network = scaling.network(globalParameters);
    scaleFor(globalParameters);
    // At least one release per earlier round: a member started again from its checkpoint does not know what it
    // released before, and assuming the most never understates epsilon.
    long before = dp.enabled() ? Math.max(releases.get(), round - 1) : 0;
    if (before >= maxReleases) {
      throw new PrivacyBudgetSpentException(String.format(Locale.ROOT, "%s: one more update would spend"
          + " epsilon %.4f, over the budget of %s; this member trains no more", data.name(),
          dp.after(before + 1, stepsPerRound).epsilon(), dp.epsilonBudget()));
    }
    long[] counts = scaledHeldOut != null && scaledHeldOut.rows() > 0 && evaluationSlots() > 0
        ? trainer.classCounts(network, scaledHeldOut) : new long[0];
    TrainResult result = dp.level() == DpSettings.Level.RECORD
        ? trainer.trainPrivately(network, scaledData, dp, random)
        : trainer.train(network, scaledData, (int) round);
    float[] delta = new float[globalParameters.length]; // the statistics' part stays 0: training never moves it
    for (int j = 0; j < network.length; j++) {
      delta[j] = result.parameters()[j] - network[j];
    }
    if (!dp.enabled()) {
      return new LocalUpdate(delta, result.samples(), result.meanLoss(), counts);
    }
    if (memberNoise != null) {
      delta = memberNoise.apply(delta);
    }
    long released = before + 1;
    releases.set(released);
    DpGuarantee spent = dp.after(released, stepsPerRound);
    log.info(String.format(Locale.ROOT, "Differential privacy (%s level): %d update(s) released, the last for"
        + " round %d; epsilon %.4f at delta %s%s", dp.level().key(), released, round, spent.epsilon(),
        spent.delta(), dp.hasBudget() ? " (budget " + dp.epsilonBudget() + ")" : ""));
    return new LocalUpdate(delta, 1, 0, counts);
  }

  /** Scales the rows with the model's statistics, again only when they changed (once, after the first round). */
  private void scaleFor(float[] globalParameters) {
    int from = globalParameters.length - scaling.sectionLength();
    if (scaledData != null && Arrays.equals(scaledWith, 0, scaledWith.length, globalParameters, from,
        globalParameters.length)) {
      return;
    }
    scaledWith = Arrays.copyOfRange(globalParameters, from, globalParameters.length);
    scaledData = scaling.prepare(globalParameters, data);
    scaledHeldOut = heldOut == null ? null : scaling.prepare(globalParameters, heldOut);
  }

  /** What this member has spent so far; epsilon 0 before its first update or without DP. */
  public DpGuarantee privacySpent() {
    long released = releases.get();
    return dp.enabled() && released > 0 ? dp.after(released, stepsPerRound)
        : new DpGuarantee(0, dp.delta(), Double.NaN, "none");
  }

  public LocalTrainer trainer() {
    return trainer;
  }
}
