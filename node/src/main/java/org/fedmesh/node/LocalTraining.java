package org.fedmesh.node;

import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.model.LocalTrainer;
import org.fedmesh.node.model.ModelSpec;
import org.fedmesh.node.model.TrainResult;
import org.fedmesh.node.model.TrainingConfig;
import org.fedmesh.node.round.LocalUpdates;

/** A member's updates from ND4J training on its own data set. */
public final class LocalTraining implements LocalUpdates {
  private final LocalTrainer trainer;
  private final ModelSpec spec;
  private final TrainingConfig config;
  private final Dataset data;
  private final int numClasses;
  private final long modelSeed;

  public LocalTraining(ModelSpec spec, TrainingConfig config, Dataset data, int numClasses, long modelSeed) {
    if (data.rows() == 0) {
      throw new IllegalArgumentException("data set " + data.name() + " has no rows to train on");
    }
    this.trainer = new LocalTrainer(spec, data.cols(), numClasses, config);
    this.spec = spec;
    this.config = config;
    this.data = data;
    this.numClasses = numClasses;
    this.modelSeed = modelSeed;
  }

  /** The same training on the same data with a trainer of its own, for a member started again in this JVM. */
  public LocalTraining fresh() {
    return new LocalTraining(spec, config, data, numClasses, modelSeed);
  }

  @Override
  public int parameterCount() {
    return trainer.model().parameterCount();
  }

  @Override
  public float[] initialParameters() {
    return trainer.model().initialParameters(modelSeed);
  }

  @Override
  public LocalUpdate train(float[] globalParameters, long round) {
    TrainResult result = trainer.train(globalParameters, data, (int) round);
    float[] delta = new float[globalParameters.length];
    for (int j = 0; j < delta.length; j++) {
      delta[j] = result.parameters()[j] - globalParameters[j];
    }
    return new LocalUpdate(delta, result.samples(), result.meanLoss());
  }

  public LocalTrainer trainer() {
    return trainer;
  }
}
