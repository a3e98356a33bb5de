package org.fedmesh.node;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The federated optimisation strategy a consortium trains with: what each member adds to its local objective and
 * which step every member applies to the securely summed update. One key ({@code aggregation.strategy}, the demo's
 * {@code --strategy}) names the pair, so that a site can not combine them by accident.
 */
public enum Strategy {
  /** Plain local training; the server step adds the weighted mean update (McMahan et al. 2017). */
  FEDAVG("fedavg"),
  /** FedAvg's server step; local training adds {@code mu/2 |w - w_global|^2} (Li et al. 2020). */
  FEDPROX("fedavg"),
  /** FedAvg with server momentum (Hsu et al. 2019). */
  FEDAVGM("fedavgm"),
  /** Adaptive server steps with Adam's second moment (Reddi et al. 2021). */
  FEDADAM("fedadam"),
  /** Adaptive server steps with Yogi's additive second moment (Reddi et al. 2021). */
  FEDYOGI("fedyogi");

  private final String serverOptimizer;

  Strategy(String serverOptimizer) {
    this.serverOptimizer = serverOptimizer;
  }

  /** The name in configurations, reports and on the command line. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The server optimizer every member applies to the summed update. */
  public String serverOptimizer() {
    return serverOptimizer;
  }

  /** Whether local training adds the proximal term. */
  public boolean proximal() {
    return this == FEDPROX;
  }

  /** Whether the server step is adaptive (and its learning rate is {@code server-adaptive-learning-rate}). */
  public boolean adaptive() {
    return this == FEDADAM || this == FEDYOGI;
  }

  /** The strategy named {@code key}; an error lists the names there are. */
  public static Strategy parse(String key) {
    for (Strategy s : values()) {
      if (s.key().equals(key)) {
        return s;
      }
    }
    throw new IllegalArgumentException("'" + key + "' is not a strategy: use one of " + keys());
  }

  /** The names, in order, for messages and help texts. */
  public static String keys() {
    return Arrays.stream(values()).map(Strategy::key).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return key();
  }
}
