package org.fedmesh.node.model;

import java.util.Objects;

/**
 * What one round of local training produced.
 *
 * @param parameters the locally trained parameters (finite)
 * @param meanLoss   mean data loss over the batches of the last epoch (without the FedProx term),
 *                   each batch's loss taken before its update
 * @param samples    rows of local data, the weight of this member in FedAvg
 */
public record TrainResult(float[] parameters, double meanLoss, long samples) {

  public TrainResult {
    Objects.requireNonNull(parameters, "parameters");
  }
}
