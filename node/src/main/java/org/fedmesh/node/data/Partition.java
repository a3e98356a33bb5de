package org.fedmesh.node.data;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * How a data set is dealt out to the members of a simulated consortium, as written on the command
 * line: {@code iid} or {@code dirichlet:ALPHA}. {@link #toString()} gives the spec back.
 */
public sealed interface Partition permits Partition.Iid, Partition.Dirichlet {

  /** Splits {@code data} into {@code parts} disjoint data sets covering every row. */
  List<Dataset> split(Dataset data, int parts, long seed);

  static Partition parse(String spec) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    if (s.equals("iid")) {
      return new Iid();
    }
    if (s.startsWith("dirichlet:")) {
      String alphaText = s.substring("dirichlet:".length()).trim();
      double alpha;
      try {
        alpha = Double.parseDouble(alphaText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("partition '" + spec + "': ALPHA must be a number, got '"
            + alphaText + "'", e);
      }
      if (!(alpha > 0) || !Double.isFinite(alpha)) {
        throw new IllegalArgumentException("partition '" + spec + "': ALPHA must be finite and > 0");
      }
      return new Dirichlet(alpha);
    }
    throw new IllegalArgumentException("unknown partition '" + spec
        + "': expected 'iid' or 'dirichlet:ALPHA' with ALPHA > 0 (e.g. dirichlet:0.5; smaller is more skewed)");
  }

  /** Rows shuffled and dealt out in near-equal parts. */
  record Iid() implements Partition {
    @Override
    public List<Dataset> split(Dataset data, int parts, long seed) {
      return Partitioner.iid(data, parts, seed);
    }

    @Override
    public String toString() {
      return "iid";
    }
  }

  /** Label skew: each class spread over the parts in Dirichlet(alpha) proportions. */
  record Dirichlet(double alpha) implements Partition {
    public Dirichlet {
      if (!(alpha > 0) || !Double.isFinite(alpha)) {
        throw new IllegalArgumentException("alpha must be finite and > 0, got " + alpha);
      }
    }

    @Override
    public List<Dataset> split(Dataset data, int parts, long seed) {
      return Partitioner.dirichlet(data, parts, alpha, seed);
    }

    @Override
    public String toString() {
      return "dirichlet:" + BigDecimal.valueOf(alpha).stripTrailingZeros().toPlainString();
    }
  }
}
