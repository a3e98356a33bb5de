package org.fedmesh.node.privacy;

import java.util.Arrays;

/**
 * One mechanism's Rényi DP at each of a fixed set of orders. Running it T times adds the RDP at every order, so the
 * curve is computed once and scaled by T whenever ε is asked for.
 */
final class RdpCurve {
  private final double[] orders;
  private final double[] perStep;

  private RdpCurve(double[] orders, double[] perStep) {
    this.orders = orders;
    this.perStep = perStep;
  }

  static RdpCurve sampledGaussian(double q, double noise, double[] orders) {
    double[] rdp = new double[orders.length];
    for (int i = 0; i < orders.length; i++) {
      rdp[i] = SampledGaussianRdp.rdp(q, noise, orders[i]);
    }
    return new RdpCurve(orders.clone(), rdp);
  }

  double perStep(int index) {
    return perStep[index];
  }

  double[] orders() {
    return orders.clone();
  }

  /** ε after {@code steps} steps: the smallest over the orders; zero steps release nothing, so cost nothing. */
  DpGuarantee after(long steps, double delta, RdpConversion conversion) {
    if (steps == 0) {
      return new DpGuarantee(0, delta, Double.NaN, conversion.label());
    }
    double best = Double.POSITIVE_INFINITY;
    double bestOrder = Double.NaN;
    for (int i = 0; i < orders.length; i++) {
      double epsilon = conversion.epsilon(steps * perStep[i], orders[i], delta);
      if (epsilon < best) {
        best = epsilon;
        bestOrder = orders[i];
      }
    }
    return new DpGuarantee(best, delta, bestOrder, conversion.label());
  }

  @Override
  public String toString() {
    return "RdpCurve" + Arrays.toString(orders) + " -> " + Arrays.toString(perStep);
  }
}
