package org.fedmesh.node.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.PermutationSampler;
import org.apache.commons.rng.sampling.distribution.DirichletSampler;

/**
 * Deals a data set out to simulated consortium members. Seeded: the same data, parts and seed give
 * the same partition. Every row lands in exactly one part; each part keeps the original row order.
 */
public final class Partitioner {

  /** Dirichlet draws tried before giving up on giving every part enough rows. */
  static final int MAX_DIRICHLET_DRAWS = 1000;

  private Partitioner() {
  }

  /** See {@link Partition#parse}. */
  public static Partition parse(String spec) {
    return Partition.parse(spec);
  }

  /** Shuffled rows in near-equal parts (sizes differ by at most one). */
  public static List<Dataset> iid(Dataset data, int parts, long seed) {
    requireParts(data, parts);
    int[] order = PermutationSampler.natural(data.rows());
    PermutationSampler.shuffle(Seeds.rng(seed), order);
    List<Dataset> out = new ArrayList<>(parts);
    int start = 0;
    for (int p = 0; p < parts; p++) {
      int size = data.rows() / parts + (p < data.rows() % parts ? 1 : 0);
      out.add(part(data, p, Arrays.copyOfRange(order, start, start + size)));
      start += size;
    }
    return out;
  }

  /**
   * Label skew after Hsu et al. (2019): for each class, proportions over the parts are drawn from a
   * symmetric Dirichlet(alpha) and the class's shuffled rows are cut accordingly. Small alpha
   * (0.1) gives each part a few dominant classes; large alpha (100) approaches iid. Draws are repeated
   * with the same generator until every part has at least {@code min(10, rows / parts / 2)} rows.
   */
  public static List<Dataset> dirichlet(Dataset data, int parts, double alpha, long seed) {
    if (!(alpha > 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("alpha must be finite and > 0, got " + alpha);
    }
    if (!data.isClassification()) {
      throw new IllegalArgumentException("a Dirichlet label-skew partition needs class labels; "
          + data.name() + " is a regression data set (use iid)");
    }
    requireParts(data, parts);
    if (parts == 1) {
      return List.of(part(data, 0, PermutationSampler.natural(data.rows())));
    }
    int minRows = Math.min(10, data.rows() / parts / 2);
    UniformRandomProvider rng = Seeds.rng(seed);
    DirichletSampler proportions = DirichletSampler.symmetric(rng, parts, alpha);
    int[][] classes = Splits.groups(data);
    for (int draw = 0; draw < MAX_DIRICHLET_DRAWS; draw++) {
      int[] assignment = drawAssignment(classes, data.rows(), parts, rng, proportions);
      int[] sizes = new int[parts];
      for (int p : assignment) {
        sizes[p]++;
      }
      if (Arrays.stream(sizes).min().orElseThrow() >= minRows) {
        return collect(data, assignment, sizes);
      }
    }
    throw new IllegalArgumentException("no Dirichlet(" + alpha + ") draw in " + MAX_DIRICHLET_DRAWS
        + " gave each of " + parts + " parts at least " + minRows + " of the " + data.rows()
        + " rows of " + data.name() + " (" + classes.length + " classes); use a larger alpha or fewer parts");
  }

  /** Part index of every row for one draw of class proportions. */
  private static int[] drawAssignment(int[][] classes, int rows, int parts, UniformRandomProvider rng,
                    DirichletSampler proportions) {
    int[] assignment = new int[rows];
    for (int[] classRows : classes) {
      int[] shuffled = classRows.clone();
      PermutationSampler.shuffle(rng, shuffled);
      double[] share = proportions.sample();
      // Cut at rounded cumulative shares, so the counts always add up to the class size.
      double cumulative = 0;
      int start = 0;
      for (int p = 0; p < parts; p++) {
        cumulative += share[p];
        int end = p == parts - 1 ? shuffled.length
            : (int) Math.min(shuffled.length, Math.round(cumulative * shuffled.length));
        for (int i = start; i < end; i++) {
          assignment[shuffled[i]] = p;
        }
        start = Math.max(start, end);
      }
    }
    return assignment;
  }

  private static List<Dataset> collect(Dataset data, int[] assignment, int[] sizes) {
    int[][] rows = new int[sizes.length][];
    for (int p = 0; p < sizes.length; p++) {
      rows[p] = new int[sizes[p]];
    }
    int[] filled = new int[sizes.length];
    for (int r = 0; r < assignment.length; r++) {
      int p = assignment[r];
      rows[p][filled[p]++] = r;
    }
    List<Dataset> out = new ArrayList<>(sizes.length);
    for (int p = 0; p < sizes.length; p++) {
      out.add(part(data, p, rows[p]));
    }
    return out;
  }

  private static Dataset part(Dataset data, int p, int[] rowIndices) {
    int[] sorted = rowIndices.clone();
    Arrays.sort(sorted);
    return data.subset(sorted, data.name() + "-part" + p);
  }

  private static void requireParts(Dataset data, int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be >= 1, got " + parts);
    }
    if (parts > data.rows()) {
      throw new IllegalArgumentException("cannot split the " + data.rows() + " rows of " + data.name()
          + " into " + parts + " non-empty parts");
    }
  }
}
