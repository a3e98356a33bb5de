package org.fedmesh.node.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class BundledDatasetsTest {

  @Test
  void load_breastCancer_is569By30With212MalignantAnd357Benign() {
    Dataset data = BundledDatasets.load("breast-cancer");

    assertEquals("breast-cancer", data.name());
    assertEquals(569, data.rows());
    assertEquals(30, data.cols());
    assertEquals(List.of("benign", "malignant"), data.classNames());
    assertArrayEquals(new int[] {357, 212}, data.labelCounts());
    // First row of the file: mean_radius 17.99 ... , malignant.
    assertEquals(17.99f, data.features()[0]);
    assertEquals(1, data.label(0));
  }

  @Test
  void load_digits_is1797By64WithTenDigitClasses() {
    Dataset data = BundledDatasets.load("digits");

    assertEquals(1797, data.rows());
    assertEquals(64, data.cols());
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), data.classNames());
    for (float pixel : data.features()) {
      assertTrue(pixel >= 0 && pixel <= 16, "pixel count out of 0..16: " + pixel);
    }
  }

  @Test
  void load_unknownName_isRefusedListingTheNames() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BundledDatasets.load("iris"));

    assertTrue(e.getMessage().contains("breast-cancer, digits"), e.getMessage());
  }

  @Test
  void names_listsBothDataSets() {
    assertEquals(List.of("breast-cancer", "digits"), BundledDatasets.names());
  }
}
