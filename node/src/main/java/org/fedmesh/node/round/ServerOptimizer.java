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

  /**
   * FedAdam and FedYogi (Reddi et al., "Adaptive Federated Optimization", ICLR 2021, Algorithm 2): the mean update
   * is a pseudo-gradient for per-coordinate adaptive steps. With m the first moment and v the second, both in the
   * state (m then v), and Δ the mean update: m = β1·m + (1-β1)·Δ; Adam: v = β2·v + (1-β2)·Δ²; Yogi:
   * v = v - (1-β2)·Δ²·sign(v - Δ²); then w = w + η·m / (√v + τ). v starts at τ², as in the paper; no bias
   * correction, as in the paper. Yogi's v changes by at most (1-β2)·Δ² a round, so it forgets a large past
   * update more slowly than Adam's, which the paper finds steadier on non-IID members.
   */
  static ServerOptimizer fedAdaptive(boolean yogi, double learningRate, double beta1, double beta2, double tau) {
    return new ServerOptimizer() {
      @Override
      public float[] initialState(int parameterCount) {
        float[] state = new float[2 * parameterCount];
        java.util.Arrays.fill(state, parameterCount, state.length, (float) (tau * tau));
        return state;
      }

      @Override
      public ModelState apply(ModelState current, double[] meanDelta) {
        float[] w = current.parameters();
        float[] state = current.optimizerState();
        int n = w.length;
        if (state.length != 2 * n) {
          throw new IllegalStateException("the model's optimizer state has " + state.length + " values; "
              + (yogi ? "FedYogi" : "FedAdam") + " needs " + 2 * n + " (was it trained with another optimizer?)");
        }
        float[] nextW = new float[n];
        float[] nextState = new float[2 * n];
        for (int j = 0; j < n; j++) {
          double delta = meanDelta[j];
          double squared = delta * delta;
          double m = beta1 * state[j] + (1 - beta1) * delta;
          double v = state[n + j];
          v = yogi ? v - (1 - beta2) * squared * Math.signum(v - squared) : beta2 * v + (1 - beta2) * squared;
          nextState[j] = (float) m;
          nextState[n + j] = (float) v;
          nextW[j] = (float) (w[j] + learningRate * m / (Math.sqrt(v) + tau));
        }
        return ModelState.of(current.round() + 1, nextW, nextState);
      }
    };
  }

  /** The optimizer {@code settings} name, with its parameters. */
  static ServerOptimizer fromSettings(String name, double learningRate, double momentum, Adaptive adaptive) {
    return switch (name) {
      case "fedavg" -> fedAvg(learningRate);
      case "fedavgm" -> fedAvgMomentum(learningRate, momentum);
      case "fedadam", "fedyogi" -> fedAdaptive(name.equals("fedyogi"), adaptive.learningRate(), adaptive.beta1(),
          adaptive.beta2(), adaptive.tau());
      default -> throw new IllegalArgumentException("unknown server optimizer '" + name + "'");
    };
  }

  /** FedAdam's and FedYogi's parameters: server learning rate η, moment decays β1 and β2, adaptivity τ. */
  record Adaptive(double learningRate, double beta1, double beta2, double tau) {}
}
