package org.fedmesh.node.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DataReportTest {

  @Test
  void namesRowsSplitLabelsAndConstantColumns() {
    // Column 1 is 7 in every row; class 'c' is in the consortium's list but not in this member's rows.
    float[] x = {1, 7, 0.5f, 2, 7, 0.5f, 3, 7, 0.25f, 4, 7, 0.5f};
    Dataset data = new Dataset("site.csv", x, 4, 3, new float[] {0, 1, 1, 1}, 3, List.of("a", "b", "c"));
    TrainTest split = Splits.trainTest(data, 0.25, 1);
    DataReport report = DataReport.of(data, split);

    assertEquals(4, report.rows());
    assertEquals(split.train().rows(), report.trainingRows());
    assertEquals(split.test().rows(), report.heldOutRows());
    assertArrayEquals(new int[] {1, 3, 0}, report.labelCounts());
    assertEquals(List.of(1), report.constantFeatures());
    String text = String.join("\n", report.lines());
    assertTrue(text.contains("site.csv") && text.contains("4 rows"), text);
    assertTrue(text.contains("a 1 (25.0%), b 3 (75.0%), c 0 (0.0%)"), text);
    assertTrue(text.contains("no rows of class 'c'"), text);
    assertTrue(text.contains("1 feature(s) hold one value in every row (columns [1]"), text);
  }

  @Test
  void regressionData_hasNoLabelLines() {
    Dataset data = new Dataset("prices.csv", new float[] {1, 2, 3, 4}, 2, 2, new float[] {0.5f, 1.5f}, 0,
        List.of());
    DataReport report = DataReport.of(data, new TrainTest(data, data.subset(new int[0])));
    assertEquals(1, report.lines().size(), report.lines().toString());
    assertTrue(report.constantFeatures().isEmpty());
  }
}
