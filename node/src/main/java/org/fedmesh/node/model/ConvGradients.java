package org.fedmesh.node.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fedmesh.node.data.Dataset;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.weightinit.impl.ZeroInitScheme;

/**
 * The passes of a {@link ConvNetwork} built with SameDiff, ND4J's autodiff, on its native convolution and pooling
 * ops: the library's reference that {@link ConvBackprop}'s hand-written gradients are checked against, and the
 * trainer's passes in DOUBLE (for gradient checks). Several times slower than ConvBackprop (BENCHMARKS.md).
 */
final class ConvGradients implements Gradients {
  private static final String INPUT = "input";
  private static final String LABEL = "label";
  private static final String LOGITS = "logits";
  private static final String LOSS = "loss";

  private final ConvNetwork net;
  private final DataType dataType;
  private final SameDiff sd = SameDiff.create();
  private final List<SDVariable> parameters = new ArrayList<>();
  private final List<String> parameterNames = new ArrayList<>();
  private final double[] gradient;

  ConvGradients(ConvNetwork net, DataType dataType) {
    this.net = net;
    this.dataType = dataType;
    this.gradient = new double[net.parameterCount()];
    int side = net.side();
    SDVariable x = sd.placeHolder(INPUT, dataType, -1, net.inputs()).reshape(-1, 1, side, side);
    SDVariable labels = sd.placeHolder(LABEL, dataType, -1, net.numClasses());
    Conv2DConfig convolution = Conv2DConfig.builder().kH(ConvNetwork.KERNEL).kW(ConvNetwork.KERNEL).sH(1).sW(1)
        .dataFormat("NCHW").build();
    Pooling2DConfig pooling = Pooling2DConfig.builder().kH(ConvNetwork.POOL).kW(ConvNetwork.POOL)
        .sH(ConvNetwork.POOL).sW(ConvNetwork.POOL).isNHWC(false).build();
    for (int l = 0; l < net.convolutions(); l++) {
      SDVariable kernel = parameter("kernel" + l, ConvNetwork.KERNEL, ConvNetwork.KERNEL, net.channels(l),
          net.channels(l + 1));
      SDVariable bias = parameter("bias" + l, net.channels(l + 1));
      x = sd.cnn.maxPooling2d(sd.nn.relu(sd.cnn.conv2d(x, kernel, bias, convolution), 0), pooling);
    }
    SDVariable weights = parameter("dense", net.features(), net.numClasses());
    SDVariable bias = parameter("denseBias", net.numClasses());
    // The dense layer reads the pooled maps channels-last (row, column, channel), as ConvBackprop keeps them.
    SDVariable logits = x.permute(0, 2, 3, 1).reshape(-1, net.features()).mmul(weights).add(LOGITS, bias);
    sd.loss.softmaxCrossEntropy(LOSS, labels, logits, null);
    sd.setLossVariables(LOSS);
  }

  private SDVariable parameter(String name, long... shape) {
    // A variable, not a constant, or it would get no gradient; its values come from setParameters.
    SDVariable v = sd.var(name, new ZeroInitScheme('c'), dataType, shape);
    parameters.add(v);
    parameterNames.add(name);
    return v;
  }

  @Override
  public void setParameters(float[] values) {
    double[] wide = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      wide[i] = values[i];
    }
    setParameters(wide);
  }

  /** At full precision, for gradient checks in DOUBLE. */
  void setParameters(double[] values) {
    int offset = 0;
    for (SDVariable v : parameters) {
      INDArray array = v.getArr();
      int n = (int) array.length();
      double[] slice = new double[n];
      System.arraycopy(values, offset, slice, 0, n);
      array.assign(Nd4j.create(slice, array.shape(), 'c'));
      offset += n;
    }
  }

  @Override
  public double lossAndGradient(Dataset data, int[] order, int from, int count) {
    OutAndGrad result = sd.calculateGradientsAndOutputs(batch(data, order, from, count, true), List.of(LOSS),
        parameterNames);
    int offset = 0;
    for (String name : parameterNames) {
      INDArray g = result.getGradients().get(name);
      double[] values = g.dup('c').data().asDouble();
      System.arraycopy(values, 0, gradient, offset, values.length);
      offset += values.length;
    }
    return result.getOutputs().get(LOSS).getDouble(0);
  }

  @Override
  public void readGradient(float[] into) {
    for (int i = 0; i < gradient.length; i++) {
      into[i] = (float) gradient[i];
    }
  }

  /** The gradient at full precision (for gradient checks in DOUBLE). */
  double[] gradientValues() {
    return gradient.clone();
  }

  @Override
  public double[] logits(Dataset data, int[] order, int from, int count) {
    return sd.output(batch(data, order, from, count, false), LOGITS).get(LOGITS).dup('c').data().asDouble();
  }

  @Override
  public OutputHead head() {
    return OutputHead.SOFTMAX_CROSS_ENTROPY;
  }

  /** The placeholders for rows {@code order[from..from+count)}: features, and one-hot labels when training. */
  private Map<String, INDArray> batch(Dataset data, int[] order, int from, int count, boolean withLabels) {
    int cols = data.cols();
    float[] features = new float[count * cols];
    float[] all = data.features();
    for (int i = 0; i < count; i++) {
      System.arraycopy(all, order[from + i] * cols, features, i * cols, cols);
    }
    Map<String, INDArray> placeholders = new HashMap<>();
    placeholders.put(INPUT, Nd4j.create(features, new long[] {count, cols}, 'c').castTo(dataType));
    if (withLabels) {
      int classes = net.numClasses();
      float[] oneHot = new float[count * classes];
      for (int i = 0; i < count; i++) {
        oneHot[i * classes + data.label(order[from + i])] = 1f;
      }
      placeholders.put(LABEL, Nd4j.create(oneHot, new long[] {count, classes}, 'c').castTo(dataType));
    }
    return placeholders;
  }

  @Override
  public void close() {
    // SameDiff's arrays are freed with the instance by the garbage collector: it has nothing to close.
  }
}
