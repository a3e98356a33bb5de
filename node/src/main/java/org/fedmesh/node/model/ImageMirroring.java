package org.fedmesh.node.model;

import org.apache.commons.rng.UniformRandomProvider;
import org.fedmesh.node.data.Dataset;

/**
 * Horizontal flips of square single-channel images stored row by row (as the CNN reads them): the cheapest label-
 * preserving augmentation for clothing, where a left-right mirror is still the same garment.
 */
final class ImageMirroring {
  private ImageMirroring() {}

  /** The side of the square images {@code data}'s rows hold; refused when a row is no square image. */
  static int side(int features) {
    int side = (int) Math.round(Math.sqrt(features));
    if (side * side != features) {
      throw new IllegalArgumentException("hflip needs square images, but a row has " + features + " features");
    }
    return side;
  }

  /** A copy of {@code data} with each row mirrored with probability 1/2; labels and order unchanged. */
  static Dataset randomlyMirrored(Dataset data, UniformRandomProvider random) {
    int side = side(data.cols());
    float[] source = data.features();
    float[] out = source.clone();
    for (int row = 0; row < data.rows(); row++) {
      if (random.nextBoolean()) {
        int base = row * data.cols();
        for (int y = 0; y < side; y++) {
          int line = base + y * side;
          for (int x = 0; x < side; x++) {
            out[line + x] = source[line + side - 1 - x];
          }
        }
      }
    }
    return new Dataset(data.name(), out, data.rows(), data.cols(), data.targets(), data.numClasses(),
        data.classNames());
  }
}
