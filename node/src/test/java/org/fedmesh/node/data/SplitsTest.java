package org.fedmesh.node.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SplitsTest {

  @Test
  void trainTest_breastCancer_isStratifiedAndComplete() {
    Dataset data = BundledDatasets.load("breast-cancer");

    TrainTest split = Splits.trainTest(data, 0.3, 1);

    // round(0.3 * 357) = 107 benign and round(0.3 * 212) = 64 malignant held out.
    assertArrayEquals(new int[] {107, 64}, split.test().labelCounts());
    assertArrayEquals(new int[] {250, 148}, split.train().labelCounts());
    assertEquals(data.rows(), split.train().rows() + split.test().rows());
  }

  @Test
  void trainTest_sameSeed_givesTheSameSplitAndAnotherSeedAnother() {
    Dataset data = SyntheticData.classification(1, 200, 3, 4);

    float[] a = Splits.trainTest(data, 0.25, 7).test().features();
    float[] b = Splits.trainTest(data, 0.25, 7).test().features();
    float[] c = Splits.trainTest(data, 0.25, 8).test().features();

    assertArrayEquals(a, b);
    assertEquals(false, java.util.Arrays.equals(a, c));
  }

  @Test
  void trainTest_regression_holdsOutTheFraction() {
    Dataset data = SyntheticData.regression(1, 100, 2, 0.1);

    TrainTest split = Splits.trainTest(data, 0.2, 1);

    assertEquals(20, split.test().rows());
    assertEquals(80, split.train().rows());
  }

  @Test
  void trainTest_fractionOutsideZeroOne_isRefused() {
    Dataset data = SyntheticData.classification(1, 20, 2, 2);

    assertThrows(IllegalArgumentException.class, () -> Splits.trainTest(data, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.trainTest(data, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.trainTest(data, Double.NaN, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.trainTest(data, 0.01, 1));
  }
}
