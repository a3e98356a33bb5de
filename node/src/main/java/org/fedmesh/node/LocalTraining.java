package org.fedmesh.node;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
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

  public LocalTraining(ModelSpec spec, TrainingConfig config, Dataset data, int numClasses, long modelSeed) {
    this(spec, config, data, numClasses, modelSeed, DpSettings.NONE, 1, null);
  }

  /**
   * @param noiseShares member level: how many members' noise shares make the whole noise
   *                    ({@link NodeSettings#noiseShares}); each member adds its share for that many
   * @param heldOut     rows this member does not train on, on which it judges each model it trains from for the
   *                    secure evaluation (classification only); null or empty for none
   */
  public LocalTraining(ModelSpec spec, TrainingConfig config, Dataset data, int numClasses, long modelSeed,
      DpSettings dp, int noiseShares, Dataset heldOut) {
    if (data.rows() == 0) {
      throw new IllegalArgumentException("data set " + data.name() + " has no rows to train on");
    }
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
    return new LocalTraining(spec, config, data, numClasses, modelSeed, dp, noiseShares, heldOut);
  }

  @Override
  public int parameterCount() {
    return trainer.model().parameterCount();
  }

  /** Correct and held-out rows per class, for every classification model, held-out rows or not. */
  @Override
  public int evaluationSlots() {
    return numClasses >= 2 ? 2 * numClasses : 0;
  }

  @Override
  public float[] initialParameters() {
    return trainer.model().initialParameters(modelSeed);
  }

  @Override
  public LocalUpdate train(float[] globalParameters, long round) {
    // At least one release per earlier round: a member started again from its checkpoint does not know what it
    // released before, and assuming the most never understates epsilon.
    long before = dp.enabled() ? Math.max(releases.get(), round - 1) : 0;
    if (before >= maxReleases) {
      throw new PrivacyBudgetSpentException(String.format(Locale.ROOT, "%s: one more update would spend"
          + " epsilon %.4f, over the budget of %s; this member trains no more", data.name(),
          dp.after(before + 1, stepsPerRound).epsilon(), dp.epsilonBudget()));
    }
    long[] counts = heldOut != null && heldOut.rows() > 0 && evaluationSlots() > 0
        ? trainer.classCounts(globalParameters, heldOut) : new long[0];
    TrainResult result = dp.level() == DpSettings.Level.RECORD
        ? trainer.trainPrivately(globalParameters, data, dp, random)
        : trainer.train(globalParameters, data, (int) round);
    float[] delta = new float[globalParameters.length];
    for (int j = 0; j < delta.length; j++) {
      delta[j] = result.parameters()[j] - globalParameters[j];
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
