package org.fedmesh.node.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class DatasetTest {

  private static final List<String> AB = List.of("a", "b");

  @Test
  void subset_picksRowsInTheGivenOrder() {
    Dataset data = new Dataset("d", new float[] {1, 2, 3, 4, 5, 6}, 3, 2, new float[] {0, 1, 1}, 2, AB);

    Dataset subset = data.subset(new int[] {2, 0, 2});

    assertArrayEquals(new float[] {5, 6, 1, 2, 5, 6}, subset.features());
    assertArrayEquals(new float[] {1, 0, 1}, subset.targets());
    assertArrayEquals(new int[] {1, 2}, subset.labelCounts());
    assertThrows(IndexOutOfBoundsException.class, () -> data.subset(new int[] {3}));
  }

  @Test
  void isClassification_dependsOnNumClasses() {
    assertTrue(new Dataset("c", new float[] {1}, 1, 1, new float[] {0}, 2, AB).isClassification());
    assertFalse(new Dataset("r", new float[] {1}, 1, 1, new float[] {0.5f}, 0, List.of()).isClassification());
  }

  @Test
  void constructor_inconsistentOrInvalidValues_areRefused() {
    float[] one = {1};
    assertThrows(IllegalArgumentException.class, () -> new Dataset("d", new float[] {1, 2}, 1, 1, one, 0, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Dataset("d", one, 1, 1, new float[2], 0, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Dataset("d", new float[] {Float.NaN}, 1, 1, one, 0, List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new Dataset("d", one, 1, 1, new float[] {Float.POSITIVE_INFINITY}, 0, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Dataset("d", one, 1, 1, new float[] {2}, 2, AB));
    assertThrows(IllegalArgumentException.class, () -> new Dataset("d", one, 1, 1, new float[] {0.5f}, 2, AB));
    assertThrows(IllegalArgumentException.class, () -> new Dataset("d", one, 1, 1, new float[] {-1}, 2, AB));
    assertThrows(IllegalArgumentException.class, () -> new Dataset("d", one, 1, 1, one, 1, List.of("a")));
    assertThrows(IllegalArgumentException.class, () -> new Dataset("d", one, 1, 1, new float[] {0}, 2, List.of("a")));
    assertThrows(IllegalArgumentException.class, () -> new Dataset("d", new float[0], 1, 0, one, 0, List.of()));
  }

  @Test
  void labelCounts_regression_isRefused() {
    Dataset regression = new Dataset("r", new float[] {1}, 1, 1, new float[] {0.5f}, 0, List.of());

    assertThrows(IllegalStateException.class, regression::labelCounts);
  }

  @Test
  void syntheticClassification_isSeededBalancedAndShaped() {
    Dataset a = SyntheticData.classification(3, 100, 4, 5);
    Dataset b = SyntheticData.classification(3, 100, 4, 5);
    Dataset c = SyntheticData.classification(4, 100, 4, 5);

    assertEquals(4, a.cols());
    assertArrayEquals(new int[] {20, 20, 20, 20, 20}, a.labelCounts());
    assertArrayEquals(a.features(), b.features());
    assertFalse(java.util.Arrays.equals(a.features(), c.features()));
  }

  @Test
  void seedsDerive_differsForNeighbouringInputs() {
    assertEquals(Seeds.derive(1, 2, 3), Seeds.derive(1, 2, 3));
    assertFalse(Seeds.derive(1, 2, 3) == Seeds.derive(1, 3, 2));
    assertFalse(Seeds.derive(1, 2, 3) == Seeds.derive(2, 2, 3));
    assertFalse(Seeds.derive(1, 0) == Seeds.derive(1));
  }

  @Test
  void withClasses_memberMissingAClass_numbersTheRestAsTheConsortiumDoes() {
    // this member saw only "cat" and "dog"; the consortium's classes are bird, cat, dog
    Dataset local = new Dataset("site", new float[] {1, 2, 3}, 3, 1, new float[] {0, 1, 1}, 2, List.of("cat", "dog"));
    Dataset agreed = local.withClasses(List.of("bird", "cat", "dog"));
    assertEquals(3, agreed.numClasses());
    assertArrayEquals(new float[] {1, 2, 2}, agreed.targets());
    DataFormatException e = assertThrows(DataFormatException.class, () -> local.withClasses(List.of("bird", "cat")));
    assertTrue(e.getMessage().contains("'dog'"), e.getMessage());
  }
}
