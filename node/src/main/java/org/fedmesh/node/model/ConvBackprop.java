package org.fedmesh.node.model;

import java.util.Arrays;
import org.fedmesh.node.data.Dataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hand-written forward and backward passes of a {@link ConvNetwork}: every convolution is an im2col copy in Java
 * and one matrix product on ND4J (OpenBLAS), ReLU and max pooling run in Java, the dense layer is one product.
 * Activations are kept channels-last ({@code [image][row][column][channel]}), so that im2col copies whole runs of
 * {@code kernel x channels} values and the products need no transposes. As in {@link Backprop}, each layer's
 * weights and bias form one {@code (in + 1) x out} matrix, applied to inputs with a column of ones.
 *
 * <p>Why not the library's own path: measured on 28x28 images, {@code cnn:16,32}, batch 64, one thread, ND4J's
 * conv2d and conv2d_bp ops took 72 ms for three quarters of a batch's work, and SameDiff about 120 ms a batch; this
 * class computes the same gradients ({@code ConvNetworkTest} checks them against SameDiff's) several times faster
 * (BENCHMARKS.md). Not thread-safe: one per trainer.
 */
final class ConvBackprop implements Gradients {
  private static final int K = ConvNetwork.KERNEL;
  private static final int P = ConvNetwork.POOL;

  private final ConvNetwork net;
  private final int convs;
  /** Per layer (convolutions, then the dense one): its weights, their gradient, its weights without the bias. */
  private final LayerMatrices matrices;
  private final BatchSizeCache<Buffers> buffers = new BatchSizeCache<>(Buffers::close);

  ConvBackprop(ConvNetwork net) {
    this.net = net;
    this.convs = net.convolutions();
    int[] inputs = new int[convs + 1];
    int[] outputs = new int[convs + 1];
    for (int l = 0; l < convs; l++) {
      inputs[l] = K * K * net.channels(l); // one output reads a kernel's window over all channels
      outputs[l] = net.channels(l + 1);
    }
    inputs[convs] = net.features();
    outputs[convs] = net.numClasses();
    this.matrices = new LayerMatrices(DataType.FLOAT, inputs, outputs);
  }

  @Override
  public void setParameters(float[] values) {
    matrices.setParameters(values);
  }

  @Override
  public void readGradient(float[] into) {
    matrices.readGradient(into);
  }

  @Override
  public OutputHead head() {
    return OutputHead.SOFTMAX_CROSS_ENTROPY;
  }

  @Override
  public double[] logits(Dataset data, int[] order, int from, int count) {
    return forward(data, order, from, count).logits;
  }

  @Override
  public double lossAndGradient(Dataset data, int[] order, int from, int count) {
    Buffers b = forward(data, order, from, count);
    double loss = head().lossAndGradient(b.logits, b.targets, count, net.numClasses(), b.logitsDelta, 1.0 / count);
    b.logitsDeltaMatrix.push(b.logitsDelta);
    Nd4j.gemm(b.denseInput.array, b.logitsDeltaMatrix.array, matrices.gradientWeightsAndBias[convs], true, false,
        1.0, 0.0);
    Nd4j.gemm(b.logitsDeltaMatrix.array, matrices.weights[convs], b.featuresDelta.array, false, true, 1.0, 0.0);
    b.featuresDelta.pull();
    float[] pooledDelta = b.featuresDelta.values;
    for (int l = convs - 1; l >= 0; l--) {
      float[] delta = b.outputDelta[l].values;
      Arrays.fill(delta, 0f);
      int[] argmax = b.argmax[l];
      for (int j = 0; j < argmax.length; j++) {
        delta[argmax[j]] += pooledDelta[j];
      }
      float[] activation = b.output[l].values;
      for (int i = 0; i < delta.length; i++) {
        if (!(activation[i] > 0)) {
          delta[i] = 0; // through the ReLU: its output was positive exactly where its input was
        }
      }
      b.outputDelta[l].push();
      Nd4j.gemm(b.columns[l].array, b.outputDelta[l].array, matrices.gradientWeightsAndBias[l], true, false, 1.0, 0.0);
      if (l > 0) {
        Nd4j.gemm(b.outputDelta[l].array, matrices.weights[l], b.columnsDelta[l].array, false, true, 1.0, 0.0);
        b.columnsDelta[l].pull();
        pooledDelta = b.pooledDelta[l - 1];
        col2im(b.columnsDelta[l].values, count, net.mapSide(l), net.channels(l), pooledDelta);
      }
    }
    return loss / count;
  }

  private Buffers forward(Dataset data, int[] order, int from, int count) {
    Buffers b = buffers.get(count, Buffers::new);
    int pixels = net.inputs();
    float[] images = data.features();
    float[] targets = data.targets();
    for (int i = 0; i < count; i++) {
      // One channel: the image's row-major pixels are already channels-last.
      System.arraycopy(images, order[from + i] * pixels, b.input, i * pixels, pixels);
      b.targets[i] = targets[order[from + i]];
    }
    float[] in = b.input;
    for (int l = 0; l < convs; l++) {
      im2col(in, count, net.mapSide(l), net.channels(l), b.columns[l].values);
      b.columns[l].push();
      Nd4j.gemm(b.columns[l].array, matrices.weightsAndBias[l], b.output[l].array, false, false, 1.0, 0.0);
      b.output[l].pull();
      float[] y = b.output[l].values;
      for (int i = 0; i < y.length; i++) {
        y[i] = Math.max(0f, y[i]); // keeps a NaN visible
      }
      maxPool(y, count, net.convolved(l), net.channels(l + 1), b.pooled[l], b.argmax[l]);
      in = b.pooled[l];
    }
    int features = net.features();
    float[] dense = b.denseInput.values;
    for (int i = 0; i < count; i++) {
      System.arraycopy(in, i * features, dense, i * (features + 1), features);
      dense[i * (features + 1) + features] = 1f;
    }
    b.denseInput.push();
    Nd4j.gemm(b.denseInput.array, matrices.weightsAndBias[convs], b.logitsMatrix.array, false, false, 1.0, 0.0);
    b.logitsMatrix.pull(b.logits);
    return b;
  }

  /**
   * Rows {@code (image, y, x)} of every output position; columns the {@code K x K x channels} window in
   * (row, column, channel) order, then a 1 for the bias. A window row is one contiguous run channels-last.
   */
  private static void im2col(float[] in, int count, int side, int channels, float[] columns) {
    int convolved = side - K + 1;
    int run = K * channels;
    int width = K * run + 1;
    int row = 0;
    for (int image = 0; image < count; image++) {
      for (int y = 0; y < convolved; y++) {
        for (int x = 0; x < convolved; x++, row++) {
          int base = row * width;
          for (int ky = 0; ky < K; ky++) {
            System.arraycopy(in, ((image * side + y + ky) * side + x) * channels, columns, base + ky * run, run);
          }
          columns[base + width - 1] = 1f;
        }
      }
    }
  }

  /** The inverse scatter of {@link #im2col} (without the bias column): sums each window's gradient into place. */
  private static void col2im(float[] columns, int count, int side, int channels, float[] into) {
    int convolved = side - K + 1;
    int run = K * channels;
    int width = K * run;
    Arrays.fill(into, 0, count * side * side * channels, 0f);
    int row = 0;
    for (int image = 0; image < count; image++) {
      for (int y = 0; y < convolved; y++) {
        for (int x = 0; x < convolved; x++, row++) {
          int base = row * width;
          for (int ky = 0; ky < K; ky++) {
            int target = ((image * side + y + ky) * side + x) * channels;
            int source = base + ky * run;
            for (int i = 0; i < run; i++) {
              into[target + i] += columns[source + i];
            }
          }
        }
      }
    }
  }

  /** 2x2 max pooling with stride 2 (an odd last row or column is dropped); remembers where each maximum was. */
  private static void maxPool(float[] in, int count, int side, int channels, float[] out, int[] argmax) {
    int pooled = side / P;
    int j = 0;
    for (int image = 0; image < count; image++) {
      for (int py = 0; py < pooled; py++) {
        for (int px = 0; px < pooled; px++) {
          for (int c = 0; c < channels; c++, j++) {
            int best = ((image * side + P * py) * side + P * px) * channels + c;
            for (int dy = 0; dy < P; dy++) {
              for (int dx = 0; dx < P; dx++) {
                int at = ((image * side + P * py + dy) * side + P * px + dx) * channels + c;
                if (in[at] > in[best]) {
                  best = at;
                }
              }
            }
            out[j] = in[best];
            argmax[j] = best;
          }
        }
      }
    }
  }

  @Override
  public void close() {
    buffers.clear();
    matrices.close();
  }

  private static void free(INDArray array) {
    if (array.closeable()) {
      array.close();
    }
  }

  /** A native FLOAT matrix for the products, with a Java copy of its values for the element-wise work. */
  private static final class Mirror {
    final INDArray array;
    final HostArray host;
    final float[] values;

    Mirror(long rows, long cols) {
      array = Nd4j.create(DataType.FLOAT, rows, cols);
      host = new HostArray(array);
      values = new float[Math.toIntExact(rows * cols)];
    }

    void push() {
      host.write(values, values.length);
    }

    void push(double[] from) {
      host.write(from, values.length);
    }

    void pull() {
      host.read(values, values.length);
    }

    void pull(double[] into) {
      host.read(into, values.length);
    }
  }

  /** Everything one batch size needs, allocated once: sized exactly, so every transfer moves whole arrays. */
  private final class Buffers {
    final float[] input;
    final float[] targets;
    final Mirror[] columns = new Mirror[convs];
    final Mirror[] output = new Mirror[convs];
    final float[][] pooled = new float[convs][];
    final int[][] argmax = new int[convs][];
    final Mirror[] outputDelta = new Mirror[convs];
    final Mirror[] columnsDelta = new Mirror[convs];
    final float[][] pooledDelta = new float[convs][];
    final Mirror denseInput;
    final Mirror logitsMatrix;
    final double[] logits;
    final Mirror logitsDeltaMatrix;
    final double[] logitsDelta;
    final Mirror featuresDelta;

    Buffers(int count) {
      input = new float[count * net.inputs()];
      targets = new float[count];
      for (int l = 0; l < convs; l++) {
        int positions = count * (net.convolved(l)) * (net.convolved(l));
        int window = K * K * net.channels(l);
        int out = net.channels(l + 1);
        columns[l] = new Mirror(positions, window + 1);
        output[l] = new Mirror(positions, out);
        pooled[l] = new float[count * net.pooled(l) * net.pooled(l) * out];
        argmax[l] = new int[pooled[l].length];
        outputDelta[l] = new Mirror(positions, out);
        columnsDelta[l] = l > 0 ? new Mirror(positions, window) : null; // nothing needs the images' gradient
        pooledDelta[l] = new float[pooled[l].length];
      }
      int classes = net.numClasses();
      denseInput = new Mirror(count, net.features() + 1);
      logitsMatrix = new Mirror(count, classes);
      logits = new double[count * classes];
      logitsDeltaMatrix = new Mirror(count, classes);
      logitsDelta = new double[count * classes];
      featuresDelta = new Mirror(count, net.features());
    }

    void close() {
      for (Mirror m : new Mirror[] {denseInput, logitsMatrix, logitsDeltaMatrix, featuresDelta}) {
        free(m.array);
      }
      for (int l = 0; l < convs; l++) {
        free(columns[l].array);
        free(output[l].array);
        free(outputDelta[l].array);
        if (columnsDelta[l] != null) {
          free(columnsDelta[l].array);
        }
      }
    }
  }
}
