package org.fedmesh.node.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class PartitionerTest {

  /** 2000 rows, 10 balanced classes; column 0 is a unique row id, so every row can be traced. */
  private static Dataset withRowIds(int rows, int classes) {
    float[] features = new float[rows * 2];
    float[] targets = new float[rows];
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      names.add("c" + c);
    }
    for (int r = 0; r < rows; r++) {
      features[2 * r] = r;
      features[2 * r + 1] = r % 7;
      targets[r] = r % classes;
    }
    return new Dataset("ids", features, rows, 2, targets, classes, names);
  }

  private static final Dataset DATA = withRowIds(2000, 10);

  @Test
  void iid_partition_coversEveryRowExactlyOnceInNearEqualParts() {
    List<Dataset> parts = Partitioner.iid(DATA, 7, 11);

    assertCoversEveryRowOnce(DATA, parts);
    for (Dataset part : parts) {
      assertTrue(part.rows() == 2000 / 7 || part.rows() == 2000 / 7 + 1, "size " + part.rows());
    }
  }

  @Test
  void dirichlet_partition_coversEveryRowExactlyOnce() {
    assertCoversEveryRowOnce(DATA, Partitioner.dirichlet(DATA, 5, 0.3, 11));
  }

  @Test
  void iid_sameSeed_givesIdenticalPartsAndAnotherSeedDoesNot() {
    assertEquals(rowIds(Partitioner.iid(DATA, 4, 5)), rowIds(Partitioner.iid(DATA, 4, 5)));
    assertFalse(rowIds(Partitioner.iid(DATA, 4, 5)).equals(rowIds(Partitioner.iid(DATA, 4, 6))));
  }

  @Test
  void dirichlet_sameSeed_givesIdenticalPartsAndAnotherSeedDoesNot() {
    assertEquals(rowIds(Partitioner.dirichlet(DATA, 4, 0.5, 5)), rowIds(Partitioner.dirichlet(DATA, 4, 0.5, 5)));
    assertFalse(rowIds(Partitioner.dirichlet(DATA, 4, 0.5, 5))
        .equals(rowIds(Partitioner.dirichlet(DATA, 4, 0.5, 6))));
  }

  @Test
  void dirichlet_smallAlpha_isMuchMoreLabelSkewedThanIid() {
    double iid = meanMaxClassShare(Partitioner.iid(DATA, 10, 3));
    double skewed = meanMaxClassShare(Partitioner.dirichlet(DATA, 10, 0.1, 3));
    double mild = meanMaxClassShare(Partitioner.dirichlet(DATA, 10, 100, 3));

    // Balanced iid parts: each class about 10 %; alpha 0.1: a part is dominated by one or two classes.
    assertTrue(iid < 0.2, "iid " + iid);
    assertTrue(skewed > 0.4 && skewed > 3 * iid, "dirichlet:0.1 " + skewed + ", iid " + iid);
    assertTrue(mild < 0.25, "dirichlet:100 " + mild);
  }

  @Test
  void dirichlet_everyPart_getsAtLeastTheMinimumRows() {
    for (long seed = 0; seed < 5; seed++) {
      for (Dataset part : Partitioner.dirichlet(DATA, 10, 0.1, seed)) {
        assertTrue(part.rows() >= 10, "part of " + part.rows() + " rows with seed " + seed);
      }
    }
  }

  @Test
  void dirichlet_onePart_isTheWholeDataSet() {
    List<Dataset> parts = Partitioner.dirichlet(DATA, 1, 0.1, 1);

    assertEquals(1, parts.size());
    assertArrayEquals(DATA.features(), parts.get(0).features());
  }

  @Test
  void dirichlet_impossibleMinimum_isRefusedWithAdvice() {
    Dataset twoClasses = withRowIds(400, 2);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Partitioner.dirichlet(twoClasses, 20, 0.001, 1));

    assertTrue(e.getMessage().contains("use a larger alpha or fewer parts"), e.getMessage());
  }

  @Test
  void partitions_badArguments_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> Partitioner.dirichlet(DATA, 4, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Partitioner.dirichlet(DATA, 4, -1, 1));
    assertThrows(IllegalArgumentException.class, () -> Partitioner.dirichlet(DATA, 4, Double.NaN, 1));
    assertThrows(IllegalArgumentException.class, () -> Partitioner.dirichlet(DATA, 0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> Partitioner.iid(DATA, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Partitioner.iid(DATA, 2001, 1));
    assertThrows(IllegalArgumentException.class, () -> Partitioner.dirichlet(DATA, 2001, 1, 1));
    Dataset regression = SyntheticData.regression(1, 50, 2, 0.1);
    assertThrows(IllegalArgumentException.class, () -> Partitioner.dirichlet(regression, 2, 1, 1));
  }

  @Test
  void parse_validSpecs_roundTripThroughToString() {
    assertInstanceOf(Partition.Iid.class, Partitioner.parse("iid"));
    assertEquals(new Partition.Dirichlet(0.5), Partitioner.parse(" Dirichlet:0.5 "));
    for (String spec : List.of("iid", "dirichlet:0.1", "dirichlet:1", "dirichlet:100", "dirichlet:0.05")) {
      Partition p = Partitioner.parse(spec);
      assertEquals(spec, p.toString());
      assertEquals(p, Partitioner.parse(p.toString()));
    }
  }

  @Test
  void parse_dirichletSpec_splitsLikeTheStaticMethod() {
    assertEquals(rowIds(Partitioner.dirichlet(DATA, 3, 0.2, 9)),
        rowIds(Partitioner.parse("dirichlet:0.2").split(DATA, 3, 9)));
  }

  @TestFactory
  Stream<DynamicTest> parse_badSpec_isRefusedWithTheAcceptedForms() {
    return Stream.of("", "random", "iid:3", "dirichlet", "dirichlet:", "dirichlet:abc", "dirichlet:0",
            "dirichlet:-0.5", "dirichlet:NaN", "dirichlet:Infinity")
        .map(spec -> DynamicTest.dynamicTest("'" + spec + "'", () -> {
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
              () -> Partitioner.parse(spec));
          assertTrue(e.getMessage().contains("'" + spec + "'"), e.getMessage());
        }));
  }

  @Test
  void parse_null_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> Partitioner.parse(null));
  }

  private static void assertCoversEveryRowOnce(Dataset whole, List<Dataset> parts) {
    Set<Float> seen = new HashSet<>();
    int total = 0;
    for (Dataset part : parts) {
      assertTrue(part.rows() > 0, "empty part");
      for (int r = 0; r < part.rows(); r++) {
        float id = part.features()[2 * r];
        assertTrue(seen.add(id), "row " + id + " appears twice");
        // Each row keeps its own label and features.
        assertEquals(whole.targets()[(int) id], part.targets()[r]);
        assertEquals(whole.features()[2 * (int) id + 1], part.features()[2 * r + 1]);
      }
      total += part.rows();
    }
    assertEquals(whole.rows(), total);
    assertEquals(whole.rows(), seen.size());
  }

  private static List<List<Float>> rowIds(List<Dataset> parts) {
    List<List<Float>> ids = new ArrayList<>();
    for (Dataset part : parts) {
      List<Float> partIds = new ArrayList<>();
      for (int r = 0; r < part.rows(); r++) {
        partIds.add(part.features()[2 * r]);
      }
      ids.add(partIds);
    }
    return ids;
  }

  /** Mean over parts of the share of the part's most frequent class: 1/classes when balanced, 1 when pure. */
  static double meanMaxClassShare(List<Dataset> parts) {
    double sum = 0;
    for (Dataset part : parts) {
      int max = 0;
      for (int count : part.labelCounts()) {
        max = Math.max(max, count);
      }
      sum += (double) max / part.rows();
    }
    return sum / parts.size();
  }
}
