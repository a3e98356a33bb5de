package org.fedmesh.node.model;

import java.util.Arrays;
import org.fedmesh.node.data.Dataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hand-written forward and backward passes of a {@link DenseNetwork}: matrix products on ND4J,
 * the cheap element-wise rest in Java.
 *
 * <p>All parameters live in one flat native vector and all gradients in another, each layer's
 * weight-and-bias block a matrix view into them. A layer costs one matrix product forward and two
 * backward (one for the first layer), bias included through a column of ones. ReLU, its derivative
 * and the loss head ({@link OutputHead}) run in Java on copies of the small activation matrices:
 * measured on a 784-128-10 MLP at batch 64, ND4J's ReLU into a strided view and its relu_bp custom
 * op cost 140 and 100 us per call, the copies and Java loops together about 20 us.
 * Buffers are preallocated per batch size.
 *
 * <p>Not thread-safe: one instance per trainer, used by one thread at a time. No ND4J workspaces.
 */
final class Backprop implements Gradients {

  /** Batch sizes whose buffers are kept: a training batch, an epoch's last batch, evaluation. */
  private final DenseNetwork net;
  private final DataType dataType;
  private final LayerMatrices matrices;
  private final BatchSizeCache<BatchBuffers> buffers = new BatchSizeCache<>(BatchBuffers::close);
  /** A batch's clipped gradient sum on its way into the caller's, kept for the next batch (DP-SGD only). */
  private float[] batchSum;

  Backprop(DenseNetwork net, DataType dataType) {
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException("FLOAT or DOUBLE only, got " + dataType);
    }
    this.net = net;
    this.dataType = dataType;
    int layers = net.layerCount();
    int[] inputs = new int[layers];
    int[] outputs = new int[layers];
    for (int l = 0; l < layers; l++) {
      inputs[l] = net.width(l);
      outputs[l] = net.width(l + 1);
    }
    this.matrices = new LayerMatrices(dataType, inputs, outputs);
  }

  DenseNetwork network() {
    return net;
  }

  @Override
  public void setParameters(float[] values) {
    matrices.setParameters(values);
  }

  void setParameters(double[] values) {
    matrices.setParameters(values);
  }

  @Override
  public void readGradient(float[] into) {
    matrices.readGradient(into);
  }

  /** The gradient at full precision (for gradient checks in DOUBLE). */
  double[] gradientValues() {
    return matrices.gradientValues();
  }

  /**
   * Runs the network on rows {@code order[from..from+count)} of {@code data}; afterwards the
   * batch's logits and targets are in the returned buffers.
   */
  BatchBuffers forward(Dataset data, int[] order, int from, int count) {
    BatchBuffers b = buffersFor(count);
    b.inputHost.writeRowsWithOnes(data.features(), data.cols(), order, from, count);
    float[] targets = data.targets();
    for (int i = 0; i < count; i++) {
      b.targets[i] = targets[order[from + i]];
    }
    int layers = net.layerCount();
    for (int l = 0; l < layers; l++) {
      INDArray in = l == 0 ? b.input : b.activation[l];
      Nd4j.gemm(in, matrices.weightsAndBias[l], b.preActivation[l], false, false, 1.0, 0.0);
      int width = net.width(l + 1);
      double[] z = b.preActivationValues[l];
      b.preActivationHost[l].read(z, count * width);
      if (l < layers - 1) {
        double[] a = b.activationValues[l + 1];
        int stride = width + 1;
        for (int r = 0; r < count; r++) {
          for (int j = 0; j < width; j++) {
            // Math.max keeps a NaN visible, where z > 0 ? z : 0 would hide it.
            a[r * stride + j] = Math.max(0, z[r * width + j]);
          }
        }
        b.activationHost[l + 1].write(a, count * stride);
      }
    }
    return b;
  }

  /**
   * Forward and backward over one batch: leaves the gradient of the batch's mean loss in the
   * gradient vector ({@link #readGradient}) and returns that mean loss (NaN or infinite if
   * training diverged).
   */
  @Override
  public double lossAndGradient(Dataset data, int[] order, int from, int count) {
    BatchBuffers b = forward(data, order, from, count);
    int layers = net.layerCount();
    int outputs = net.outputs();
    double[] outputDelta = b.deltaValues[layers - 1];
    double loss = net.head().lossAndGradient(b.logits(), b.targets, count, outputs, outputDelta, 1.0 / count);
    b.deltaHost[layers - 1].write(outputDelta, count * outputs);
    for (int l = layers - 1; l >= 0; l--) {
      INDArray in = l == 0 ? b.input : b.activation[l];
      // dL/d[W; b] = [inputs, 1]^T . delta
      Nd4j.gemm(in, b.delta[l], matrices.gradientWeightsAndBias[l], true, false, 1.0, 0.0);
      if (l > 0) {
        propagateDelta(b, l, count);
      }
    }
    return loss / count;
  }

  /**
   * dL/d(inputs of layer l) = delta . W^T, then through the ReLU that produced those inputs: the delta of layer
   * l - 1, in its native buffer and its host copy.
   */
  private void propagateDelta(BatchBuffers b, int l, int count) {
    Nd4j.gemm(b.delta[l], matrices.weights[l], b.delta[l - 1], false, true, 1.0, 0.0);
    int width = net.width(l);
    double[] d = b.deltaValues[l - 1];
    double[] z = b.preActivationValues[l - 1];
    b.deltaHost[l - 1].read(d, count * width);
    for (int i = 0; i < count * width; i++) {
      if (!(z[i] > 0)) {
        d[i] = 0;
      }
    }
    b.deltaHost[l - 1].write(d, count * width);
  }

  /**
   * Per-record clipping in one batched pass. A record's gradient for layer l is the outer product of its input row
   * (with the bias's 1) and its delta row, so its squared norm is |input|^2 |delta|^2: summed over layers, that is
   * the record's whole squared gradient norm, known before any gradient is formed. Each delta row is then scaled by
   * its record's factor, and one product per layer sums the clipped gradients.
   */
  @Override
  public double addClippedGradients(Dataset data, int[] order, int from, int count, int real, double clip,
      float[] sum) {
    BatchBuffers b = forward(data, order, from, count);
    int layers = net.layerCount();
    int outputs = net.outputs();
    double[] outputDelta = b.deltaValues[layers - 1];
    double loss = net.head().lossAndGradient(b.logits(), b.targets, real, outputs, outputDelta, 1.0);
    Arrays.fill(outputDelta, real * outputs, count * outputs, 0);
    b.deltaHost[layers - 1].write(outputDelta, count * outputs);
    for (int l = layers - 1; l > 0; l--) {
      propagateDelta(b, l, count);
    }
    double[] shrink = recordShrink(b, data, order, from, count, clip);
    for (int l = 0; l < layers; l++) {
      int width = net.width(l + 1);
      double[] d = b.deltaValues[l];
      for (int r = 0; r < count; r++) {
        for (int j = 0; j < width; j++) {
          d[r * width + j] *= shrink[r];
        }
      }
      b.deltaHost[l].write(d, count * width);
      INDArray in = l == 0 ? b.input : b.activation[l];
      Nd4j.gemm(in, b.delta[l], matrices.gradientWeightsAndBias[l], true, false, 1.0, 0.0);
    }
    if (batchSum == null || batchSum.length != sum.length) {
      batchSum = new float[sum.length];
    }
    matrices.readGradient(batchSum);
    for (int j = 0; j < sum.length; j++) {
      sum[j] += batchSum[j];
    }
    return loss;
  }

  /** Each record's factor min(1, clip / |its gradient|), from the deltas left in the buffers (not yet scaled). */
  private double[] recordShrink(BatchBuffers b, Dataset data, int[] order, int from, int count, double clip) {
    double[] normSquared = new double[count];
    int cols = data.cols();
    float[] features = data.features();
    for (int l = 0; l < net.layerCount(); l++) {
      int inWidth = net.width(l);
      int outWidth = net.width(l + 1);
      double[] d = b.deltaValues[l];
      double[] a = l == 0 ? null : b.activationValues[l];
      for (int r = 0; r < count; r++) {
        double input = 1; // the bias's input
        if (l == 0) {
          int base = order[from + r] * cols;
          for (int k = 0; k < cols; k++) {
            input += (double) features[base + k] * features[base + k];
          }
        } else {
          for (int k = 0; k < inWidth; k++) {
            input += a[r * (inWidth + 1) + k] * a[r * (inWidth + 1) + k];
          }
        }
        double delta = 0;
        for (int j = 0; j < outWidth; j++) {
          delta += d[r * outWidth + j] * d[r * outWidth + j];
        }
        normSquared[r] += input * delta;
      }
    }
    double[] shrink = new double[count];
    for (int r = 0; r < count; r++) {
      double norm = Math.sqrt(normSquared[r]);
      shrink[r] = norm > clip ? clip / norm : 1;
    }
    return shrink;
  }

  @Override
  public double[] logits(Dataset data, int[] order, int from, int count) {
    return forward(data, order, from, count).logits();
  }

  @Override
  public OutputHead head() {
    return net.head();
  }

  private BatchBuffers buffersFor(int count) {
    return buffers.get(count, c -> new BatchBuffers(net, dataType, c));
  }

  @Override
  public void close() {
    buffers.clear();
    matrices.close();
  }
}
