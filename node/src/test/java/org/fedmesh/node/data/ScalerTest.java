package org.fedmesh.node.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class ScalerTest {

  private static Dataset table(int cols, float... values) {
    int rows = values.length / cols;
    return new Dataset("t", values, rows, cols, new float[rows], 0, List.of());
  }

  @Test
  void standardize_givesZeroMeanAndUnitVariancePerColumn() {
    Dataset data = BundledDatasets.load("breast-cancer");

    Dataset scaled = Scaler.standardize(data).apply(data);

    for (int c = 0; c < scaled.cols(); c++) {
      double sum = 0;
      double sumSquares = 0;
      for (int r = 0; r < scaled.rows(); r++) {
        double v = scaled.features()[r * scaled.cols() + c];
        sum += v;
        sumSquares += v * v;
      }
      double mean = sum / scaled.rows();
      assertEquals(0, mean, 1e-5, "mean of column " + c);
      assertEquals(1, sumSquares / scaled.rows() - mean * mean, 1e-4, "variance of column " + c);
    }
    assertSame(data.targets(), scaled.targets());
  }

  @Test
  void standardize_constantColumn_isCentredNotDividedByZero() {
    Dataset data = table(2, 5, 1, 5, 2, 5, 3);

    Dataset scaled = Scaler.standardize(data).apply(data);

    float s = (float) Math.sqrt(2.0 / 3);
    assertArrayEquals(new float[] {0, -1 / s, 0, 0, 0, 1 / s}, scaled.features(), 1e-6f);
  }

  @Test
  void standardize_fittedOnTrain_appliesTheSameMapToTest() {
    Scaler scaler = Scaler.standardize(table(1, 0, 2));

    assertArrayEquals(new float[] {2, -1}, scaler.apply(table(1, 3, 0)).features());
  }

  @Test
  void divideBy_scalesEveryFeature() {
    assertArrayEquals(new float[] {0, 1, 0.5f}, Scaler.divideBy(255).apply(table(3, 0, 255, 127.5f)).features());
  }

  @Test
  void scalers_badInput_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> Scaler.divideBy(0));
    assertThrows(IllegalArgumentException.class, () -> Scaler.divideBy(Float.NaN));
    Scaler twoColumns = Scaler.standardize(table(2, 1, 2, 3, 4));
    assertThrows(IllegalArgumentException.class, () -> twoColumns.apply(table(3, 1, 2, 3)));
    // Dividing by a tiny spread overflows float: refused rather than returning infinities.
    Scaler tiny = Scaler.standardize(table(1, 1e-30f, 3e-30f));
    assertThrows(IllegalArgumentException.class, () -> tiny.apply(table(1, 1e10f)));
  }
}
