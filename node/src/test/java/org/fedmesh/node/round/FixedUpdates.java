package org.fedmesh.node.round;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A member whose "training" returns a given update: makes the sums of a round predictable. */
record FixedUpdates(float[] initial, float[] delta, long samples, double loss) implements LocalUpdates {

  /**
   * {@code count} members from a zero model of {@code params} parameters, each with its own small Gaussian update
   * (seeded), 100, 110, 120 ... samples and loss 0.2.
   */
  static List<LocalUpdates> gaussianMembers(int count, int params, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<LocalUpdates> members = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      float[] delta = new float[params];
      for (int j = 0; j < params; j++) {
        delta[j] = (float) random.nextGaussian() * 0.01f;
      }
      members.add(new FixedUpdates(new float[params], delta, 100 + 10L * i, 0.2));
    }
    return List.copyOf(members);
  }

  @Override
  public int parameterCount() {
    return initial.length;
  }

  /** No held-out rows: nothing to count. */
  @Override
  public int evaluationSlots() {
    return 0;
  }

  @Override
  public ConsortiumScaling consortiumScaling() {
    return ConsortiumScaling.NONE;
  }

  @Override
  public float[] initialParameters() {
    return initial.clone();
  }

  @Override
  public LocalUpdate train(float[] globalParameters, long round) {
    return new LocalUpdate(delta.clone(), samples, loss);
  }
}
