package org.fedmesh.node.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Seeds;
import org.junit.jupiter.api.Test;

class ImageMirroringTest {

  /** {@code rows} 3x3 images whose pixel (x, y) of row r is 100 r + 10 y + x. */
  private static Dataset images(int rows) {
    float[] features = new float[rows * 9];
    float[] targets = new float[rows];
    for (int r = 0; r < rows; r++) {
      for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 3; x++) {
          features[r * 9 + y * 3 + x] = 100 * r + 10 * y + x;
        }
      }
      targets[r] = r % 2;
    }
    return new Dataset("images", features, rows, 9, targets, 2, List.of("a", "b"));
  }

  @Test
  void eachRowIsItselfOrItsMirror_aboutHalfAreMirrored_labelsStay() {
    Dataset data = images(400);
    Dataset mirrored = ImageMirroring.randomlyMirrored(data, Seeds.rng(5));
    int flipped = 0;
    for (int r = 0; r < data.rows(); r++) {
      float[] row = Arrays.copyOfRange(mirrored.features(), r * 9, r * 9 + 9);
      float[] same = Arrays.copyOfRange(data.features(), r * 9, r * 9 + 9);
      float[] mirror = new float[9];
      for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 3; x++) {
          mirror[y * 3 + x] = 100 * r + 10 * y + (2 - x);
        }
      }
      if (Arrays.equals(row, mirror)) {
        flipped++;
      } else {
        assertArrayEquals(same, row, "row " + r + " is neither itself nor its mirror");
      }
    }
    assertTrue(flipped > 150 && flipped < 250, flipped + " of 400 mirrored");
    assertArrayEquals(data.targets(), mirrored.targets());
    assertEquals(100 * 3 + 10 * 1 + 2, data.features()[3 * 9 + 5], "the source rows are left as they were");
  }

  @Test
  void rowsThatAreNoSquareImage_orAModelThatIsNoCnn_areRefused() {
    Dataset flat = new Dataset("flat", new float[10], 2, 5, new float[2], 2, List.of("a", "b"));
    assertThrows(IllegalArgumentException.class, () -> ImageMirroring.randomlyMirrored(flat, Seeds.rng(1)));
    TrainingConfig hflip = new TrainingConfig(1, 8, OptimizerSpec.sgd(0.1), 0, 1, TrainingConfig.Augmentation.HFLIP);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LocalTrainer(ModelSpec.parse("mlp:4"), 9, 2, hflip));
    assertTrue(e.getMessage().contains("needs a cnn model"), e.getMessage());
  }
}
