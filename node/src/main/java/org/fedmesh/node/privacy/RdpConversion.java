package org.fedmesh.node.privacy;

/** Ways to turn Rényi DP (α, rdp) into (ε, δ)-DP; both are theorems, the improved one is tighter at every order. */
public enum RdpConversion {
  /** ε = rdp + log(1/δ) / (α - 1) (Mironov 2017, Proposition 3); the figure TF Privacy long reported. */
  CLASSIC("classic") {
    @Override
    public double epsilon(double rdp, double order, double delta) {
      return rdp + Math.log(1 / delta) / (order - 1);
    }
  },

  /**
   * ε = rdp + log((α - 1)/α) - (log δ + log α) / (α - 1) (Balle et al. 2020, Theorem 21; Canonne, Kamath and Steinke
   * 2020, Proposition 12). It can come out negative for large δ; the mechanism is then (0, δ)-DP, so it is floored
   * at 0.
   */
  IMPROVED("improved") {
    @Override
    public double epsilon(double rdp, double order, double delta) {
      return Math.max(0, rdp + Math.log1p(-1 / order) - (Math.log(delta) + Math.log(order)) / (order - 1));
    }
  };

  private final String label;

  RdpConversion(String label) {
    this.label = label;
  }

  /** The name reports and the command line use. */
  public String label() {
    return label;
  }

  /** ε of a mechanism that is (order, rdp)-RDP, at the given δ. */
  public abstract double epsilon(double rdp, double order, double delta);
}
