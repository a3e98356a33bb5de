package org.fedmesh.node.round;

/**
 * Turns the decoded weighted mean of the members' updates into the next global model. Runs identically on every
 * node, in plain Java doubles rounded once to float, so all nodes reach the same bits.
 */
public interface ServerOptimizer {

  /** The state a fresh model starts with (the optimizer's own part of {@link ModelState}). */
  float[] initialState(int parameterCount);

  ModelState apply(ModelState current, double[] meanDelta);

  /** FedAvg with a server learning rate (1 = plain averaging of the members' models). */
  static ServerOptimizer fedAvg(double learningRate) {
    return new ServerOptimizer() {
      @Override
      public float[] initialState(int parameterCount) {
        return new float[0];
      }

      @Override
      public ModelState apply(ModelState current, double[] meanDelta) {
        float[] w = current.parameters();
        float[] next = new float[w.length];
        for (int j = 0; j < w.length; j++) {
          next[j] = (float) (w[j] + learningRate * meanDelta[j]);
        }
        return ModelState.of(current.round() + 1, next, current.optimizerState());
      }
    };
  }

  /** FedAvgM (Hsu et al. 2019): server momentum over rounds, which damps the drift of non-IID members. */
  static ServerOptimizer fedAvgMomentum(double learningRate, double momentum) {
    return new ServerOptimizer() {
      @Override
      public float[] initialState(int parameterCount) {
        return new float[parameterCount];
      }

      @Override
      public ModelState apply(ModelState current, double[] meanDelta) {
        float[] w = current.parameters();
        float[] velocity = current.optimizerState();
        float[] nextW = new float[w.length];
        float[] nextV = new float[w.length];
        for (int j = 0; j < w.length; j++) {
          nextV[j] = (float) (momentum * velocity[j] + meanDelta[j]);
          nextW[j] = (float) (w[j] + learningRate * nextV[j]);
        }
        return ModelState.of(current.round() + 1, nextW, nextV);
      }
    };
  }

  static ServerOptimizer fromSettings(String name, double learningRate, double momentum) {
    return switch (name) {
      case "fedavg" -> fedAvg(learningRate);
      case "fedavgm" -> fedAvgMomentum(learningRate, momentum);
      default -> throw new IllegalArgumentException("unknown server optimizer '" + name + "'");
    };
  }
}
