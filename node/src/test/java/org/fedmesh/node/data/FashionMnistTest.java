package org.fedmesh.node.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  @Test
  void load_installedDataSet_has60000TrainAnd10000TestImagesOf784Pixels() {
    assumeTrue(FashionMnist.isInstalled(FashionMnist.DEFAULT_DIRECTORY),
        "Fashion-MNIST is not installed in " + FashionMnist.DEFAULT_DIRECTORY);

    TrainTest data = FashionMnist.load(FashionMnist.DEFAULT_DIRECTORY);

    assertEquals(60_000, data.train().rows());
    assertEquals(10_000, data.test().rows());
    assertEquals(784, data.train().cols());
    assertEquals(FashionMnist.CLASS_NAMES, data.train().classNames());
    int[] sixThousandEach = new int[10];
    java.util.Arrays.fill(sixThousandEach, 6000);
    assertArrayEquals(sixThousandEach, data.train().labelCounts());
    float max = 0;
    for (float pixel : data.test().features()) {
      max = Math.max(max, pixel);
    }
    assertEquals(255f, max, "raw pixels, not scaled");
  }

  @Test
  void load_missingDirectory_isRefusedNamingIt(@TempDir Path dir) {
    Path missing = dir.resolve("fashion");

    DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.load(missing));

    assertEquals(missing.toString(), e.source());
  }

  @Test
  void load_directoryWithoutFiles_isRefusedNamingTheFirstMissingFile(@TempDir Path dir) {
    DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.load(dir));

    assertEquals(dir.resolve(FashionMnist.TRAIN_IMAGES).toString(), e.source());
  }
}
