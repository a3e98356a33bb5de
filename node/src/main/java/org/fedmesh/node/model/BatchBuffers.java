package org.fedmesh.node.model;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every array a forward and backward pass over a batch of one size needs, native and Java side,
 * allocated once: training then runs without allocating per batch.
 */
final class BatchBuffers implements AutoCloseable {

  final int batchSize;
  /** Inputs with a trailing column of ones (the bias input), {@code B x (inputs + 1)}. */
  final INDArray input;
  final HostArray inputHost;
  /** {@code preActivation[l]}: output of layer l's matrix product, {@code B x width(l + 1)}. */
  final INDArray[] preActivation;
  final HostArray[] preActivationHost;
  final double[][] preActivationValues;
  /** {@code activation[l]} for hidden layers l >= 1: ReLU output plus a column of ones. */
  final INDArray[] activation;
  final HostArray[] activationHost;
  final double[][] activationValues;
  /** {@code delta[l]}: gradient of the loss with respect to {@code preActivation[l]}. */
  final INDArray[] delta;
  final HostArray[] deltaHost;
  final double[][] deltaValues;
  final float[] targets;

  private final List<INDArray> owned = new ArrayList<>();

  BatchBuffers(DenseNetwork net, DataType dataType, int batchSize) {
    this.batchSize = batchSize;
    int layers = net.layerCount();
    input = own(Nd4j.create(dataType, batchSize, net.width(0) + 1L));
    inputHost = new HostArray(input);
    preActivation = new INDArray[layers];
    preActivationHost = new HostArray[layers];
    preActivationValues = new double[layers][];
    delta = new INDArray[layers];
    deltaHost = new HostArray[layers];
    deltaValues = new double[layers][];
    activation = new INDArray[layers];
    activationHost = new HostArray[layers];
    activationValues = new double[layers][];
    for (int l = 0; l < layers; l++) {
      int width = net.width(l + 1);
      preActivation[l] = own(Nd4j.create(dataType, batchSize, width));
      preActivationHost[l] = new HostArray(preActivation[l]);
      preActivationValues[l] = new double[batchSize * width];
      delta[l] = own(Nd4j.create(dataType, batchSize, width));
      deltaHost[l] = new HostArray(delta[l]);
      deltaValues[l] = new double[batchSize * width];
    }
    for (int l = 1; l < layers; l++) {
      int width = net.width(l);
      activation[l] = own(Nd4j.create(dataType, batchSize, width + 1L));
      activationHost[l] = new HostArray(activation[l]);
      double[] values = new double[batchSize * (width + 1)];
      // The ones column is written once; the ReLU only ever fills the other columns.
      for (int r = 0; r < batchSize; r++) {
        values[r * (width + 1) + width] = 1;
      }
      activationValues[l] = values;
    }
    targets = new float[batchSize];
  }

  /** The logits of the last forward pass, row-major {@code B x outputs}. */
  double[] logits() {
    return preActivationValues[preActivationValues.length - 1];
  }

  private INDArray own(INDArray array) {
    owned.add(array);
    return array;
  }

  /** Frees the native memory now rather than at some later garbage collection. */
  @Override
  public void close() {
    for (INDArray array : owned) {
      if (array.closeable()) {
        array.close();
      }
    }
    owned.clear();
  }
}
