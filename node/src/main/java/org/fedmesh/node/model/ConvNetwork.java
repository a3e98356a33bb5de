package org.fedmesh.node.model;

import java.util.Arrays;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;
import org.fedmesh.node.data.Seeds;

/**
 * A small convolutional classifier for square single-channel images ({@code cnn:C1,C2,...}): per convolution layer
 * a 5x5 convolution without padding, ReLU and 2x2 max pooling, then one dense softmax layer. On 28x28 Fashion-MNIST,
 * {@code cnn:16,32} maps 28 -> 24 -> 12 -> 8 -> 4, so the dense layer reads 32 x 4 x 4 = 512 values.
 *
 * <p>Parameters, flat, in the shapes ND4J's convolution takes them: per convolution its kernel
 * {@code [5, 5, in, out]} (row-major; ND4J's YXIO) and its {@code out} biases, then the dense weights
 * {@code [features, classes]} row-major, reading the pooled maps in row, column, channel order, and its biases.
 * Each layer's weights and biases together are one {@code (in + 1) x out} matrix whose last row is the bias.
 */
final class ConvNetwork implements Model {
  static final int KERNEL = 5;
  static final int POOL = 2;

  private final ModelSpec spec;
  private final int side;
  private final int numClasses;
  private final int[] channels;
  private final int[] sides;
  private final int parameterCount;

  private ConvNetwork(ModelSpec spec, int side, int numClasses) {
    this.spec = spec;
    this.side = side;
    this.numClasses = numClasses;
    List<Integer> convs = spec.hiddenLayers();
    channels = new int[convs.size() + 1];
    sides = new int[convs.size() + 1];
    channels[0] = 1;
    sides[0] = side;
    long count = 0;
    for (int l = 0; l < convs.size(); l++) {
      channels[l + 1] = convs.get(l);
      int convolved = sides[l] - KERNEL + 1;
      sides[l + 1] = convolved / POOL;
      if (sides[l + 1] < 1) {
        throw new IllegalArgumentException(spec + " on " + side + "x" + side + " images: after convolution "
            + (l + 1) + " the maps are " + Math.max(convolved, 0) + " wide, too small for another 5x5 kernel and"
            + " 2x2 pooling (use fewer convolutions)");
      }
      count += (long) KERNEL * KERNEL * channels[l] * channels[l + 1] + channels[l + 1];
    }
    count += (long) features() * numClasses + numClasses;
    this.parameterCount = Math.toIntExact(count);
  }

  static ConvNetwork of(ModelSpec spec, int inputs, int numClasses) {
    int side = (int) Math.round(Math.sqrt(inputs));
    if (side * side != inputs) {
      throw new IllegalArgumentException(spec + " reads square single-channel images; " + inputs
          + " features are not a square number of pixels");
    }
    if (numClasses < 2) {
      throw new IllegalArgumentException(spec + " classifies: it needs at least 2 classes, the data has "
          + (numClasses == 0 ? "numeric targets" : numClasses + " class"));
    }
    return new ConvNetwork(spec, side, numClasses);
  }

  @Override
  public ModelSpec spec() {
    return spec;
  }

  @Override
  public int inputs() {
    return side * side;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public int outputs() {
    return numClasses;
  }

  @Override
  public int parameterCount() {
    return parameterCount;
  }

  int side() {
    return side;
  }

  int convolutions() {
    return channels.length - 1;
  }

  /** Channels into convolution {@code l} ({@code l == convolutions()}: out of the last one). */
  int channels(int l) {
    return channels[l];
  }

  /** Side of the square maps convolution {@code l} reads (the image's for {@code l == 0}). */
  int mapSide(int l) {
    return sides[l];
  }

  /** Side of convolution {@code l}'s output, before pooling. */
  int convolved(int l) {
    return sides[l] - KERNEL + 1;
  }

  /** Side of convolution {@code l}'s pooled output. */
  int pooled(int l) {
    return sides[l + 1];
  }

  /** Values the dense layer reads: the last pooled maps. */
  int features() {
    int last = channels.length - 1;
    return channels[last] * sides[last] * sides[last];
  }

  /** Multiply-adds of one forward pass on one image: what a sample costs, for the benchmark's arithmetic. */
  long forwardMultiplyAdds() {
    long total = 0;
    for (int l = 0; l < convolutions(); l++) {
      long convolved = convolved(l);
      total += convolved * convolved * KERNEL * KERNEL * channels[l] * channels[l + 1];
    }
    return total + (long) features() * numClasses;
  }

  /**
   * Multiply-adds of training on one image: the forward pass, each layer's weight gradient (as much again), and the
   * gradient to each layer's inputs (as much again) except the first convolution's, which nothing needs.
   */
  long trainingMultiplyAdds() {
    long convolved = convolved(0);
    long first = convolved * convolved * KERNEL * KERNEL * channels[0] * channels[1];
    return 3 * forwardMultiplyAdds() - first;
  }

  @Override
  public float[] initialParameters(long seed) {
    UniformRandomProvider rng = Seeds.rng(seed);
    float[] parameters = new float[parameterCount];
    int offset = 0;
    for (int l = 0; l < convolutions(); l++) {
      int fanIn = KERNEL * KERNEL * channels[l];
      int weights = fanIn * channels[l + 1];
      // He-uniform for layers that feed a ReLU, as DenseNetwork; biases stay zero.
      offset = fill(parameters, offset, weights, Math.sqrt(6.0 / fanIn), rng) + channels[l + 1];
    }
    fill(parameters, offset, features() * numClasses, Math.sqrt(6.0 / (features() + numClasses)), rng);
    return parameters;
  }

  private static int fill(float[] into, int offset, int count, double limit, UniformRandomProvider rng) {
    for (int i = 0; i < count; i++) {
      into[offset + i] = (float) ((2 * rng.nextDouble() - 1) * limit);
    }
    return offset + count;
  }

  @Override
  public String toString() {
    return spec + " " + side + "x" + side + " channels " + Arrays.toString(channels) + " -> " + numClasses
        + " (" + parameterCount + " parameters)";
  }
}
