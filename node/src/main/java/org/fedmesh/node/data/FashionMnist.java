package org.fedmesh.node.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando, MIT licence) from its four original IDX files: 60,000 training and 10,000
 * test images of 28 x 28 grey pixels in 10 classes. Pixels stay raw 0..255; scale with {@link Scaler}.
 */
public final class FashionMnist {

  /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
  public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

  public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

  private FashionMnist() {
  }

  /** Whether all four files are present in {@code dir}. */
  public static boolean isInstalled(Path dir) {
    return List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS).stream()
        .allMatch(f -> Files.isRegularFile(dir.resolve(f)));
  }

  public static TrainTest load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new DataFormatException(dir.toString(), "no such directory; Fashion-MNIST is installed by "
          + "'apt-get install dataset-fashion-mnist' into " + DEFAULT_DIRECTORY);
    }
    Dataset train = IdxLoader.load(dir.resolve(TRAIN_IMAGES), dir.resolve(TRAIN_LABELS),
        "fashion-mnist-train", CLASS_NAMES);
    Dataset test = IdxLoader.load(dir.resolve(TEST_IMAGES), dir.resolve(TEST_LABELS),
        "fashion-mnist-test", CLASS_NAMES);
    return new TrainTest(train, test);
  }
}
