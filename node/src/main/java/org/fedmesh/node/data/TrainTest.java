package org.fedmesh.node.data;

import java.util.Objects;

/** A training set and the held-out set to evaluate on. */
public record TrainTest(Dataset train, Dataset test) {

  public TrainTest {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    if (train.cols() != test.cols() || train.numClasses() != test.numClasses()) {
      throw new IllegalArgumentException("train " + train + " and test " + test + " do not match");
    }
  }
}
