package org.fedmesh.node.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model's parameters and gradient as two flat native vectors, and per layer the matrix views the passes multiply
 * with: each layer's weights and bias form one {@code (in + 1) x out} block, laid end to end in layer order, whose
 * last row is the bias. Shared by the dense ({@link Backprop}) and convolutional ({@link ConvBackprop}) passes.
 */
final class LayerMatrices implements AutoCloseable {
  /** Per layer, {@code (in + 1) x out}: the weights with the bias as last row. */
  final INDArray[] weightsAndBias;
  /** Per layer, {@code in x out}: the weights alone (to propagate the gradient to the inputs). */
  final INDArray[] weights;
  final INDArray[] gradientWeightsAndBias;
  private final INDArray parameters;
  private final INDArray gradient;
  private final HostArray parametersHost;
  private final HostArray gradientHost;

  /** Layer {@code l} maps {@code inputs[l]} values to {@code outputs[l]}. */
  LayerMatrices(DataType dataType, int[] inputs, int[] outputs) {
    long count = 0;
    for (int l = 0; l < inputs.length; l++) {
      count += (inputs[l] + 1L) * outputs[l];
    }
    parameters = Nd4j.create(dataType, 1, count);
    gradient = Nd4j.create(dataType, 1, count);
    parametersHost = new HostArray(parameters);
    gradientHost = new HostArray(gradient);
    weightsAndBias = new INDArray[inputs.length];
    weights = new INDArray[inputs.length];
    gradientWeightsAndBias = new INDArray[inputs.length];
    long offset = 0;
    for (int l = 0; l < inputs.length; l++) {
      weightsAndBias[l] = view(parameters, offset, inputs[l] + 1, outputs[l]);
      weights[l] = view(parameters, offset, inputs[l], outputs[l]);
      gradientWeightsAndBias[l] = view(gradient, offset, inputs[l] + 1, outputs[l]);
      offset += (inputs[l] + 1L) * outputs[l];
    }
  }

  private static INDArray view(INDArray flat, long offset, long rows, long cols) {
    return Nd4j.create(flat.data(), new long[] {rows, cols}, new long[] {cols, 1}, offset, 'c', flat.dataType());
  }

  void setParameters(float[] values) {
    parametersHost.write(values, values.length);
  }

  void setParameters(double[] values) {
    parametersHost.write(values, values.length);
  }

  void readGradient(float[] into) {
    gradientHost.read(into, into.length);
  }

  /** The gradient at full precision (for gradient checks in DOUBLE). */
  double[] gradientValues() {
    double[] out = new double[gradientHost.length()];
    gradientHost.read(out, out.length);
    return out;
  }

  @Override
  public void close() {
    for (INDArray array : new INDArray[] {parameters, gradient}) {
      if (array.closeable()) {
        array.close();
      }
    }
  }
}
