package org.fedmesh.node.model;

import java.util.ArrayList;
import java.util.List;

import org.fedmesh.node.data.Dataset;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.ZeroInitScheme;

/**
 * The same ReLU MLP with softmax cross-entropy as {@link DenseNetwork}, built with SameDiff
 * (ND4J's autodiff) and trained with its {@code fit}: the library way, kept as the yardstick the
 * hand-written gradients have to beat ({@link TrainingBenchmark}).
 */
final class SameDiffMlp {

  private final SameDiff sd = SameDiff.create();
  private final int[] widths;
  private final List<SDVariable> parametersInFlatOrder = new ArrayList<>();

  SameDiffMlp(int[] widths, OptimizerSpec.Adam adam) {
    if (adam.weightDecay() > 0) {
      throw new IllegalArgumentException("the SameDiff yardstick runs plain Adam, not " + adam);
    }
    this.widths = widths.clone();
    int layers = widths.length - 1;
    SDVariable activation = sd.placeHolder("input", DataType.FLOAT, -1, widths[0]);
    SDVariable labels = sd.placeHolder("label", DataType.FLOAT, -1, widths[layers]);
    for (int l = 0; l < layers; l++) {
      // Biases must be variables: sd.zero(...) would make a constant that never trains.
      SDVariable w = sd.var("w" + l, new ZeroInitScheme('c'), DataType.FLOAT, widths[l], widths[l + 1]);
      SDVariable b = sd.var("b" + l, new ZeroInitScheme('c'), DataType.FLOAT, widths[l + 1]);
      parametersInFlatOrder.add(w);
      parametersInFlatOrder.add(b);
      SDVariable z = activation.mmul(w).add(b);
      activation = l < layers - 1 ? sd.nn.relu(z, 0) : z;
    }
    sd.loss.softmaxCrossEntropy("loss", labels, activation, null);
    sd.setLossVariables("loss");
    sd.setTrainingConfig(new TrainingConfig.Builder()
        .updater(new Adam(adam.learningRate(), adam.beta1(), adam.beta2(), adam.epsilon()))
        .dataSetFeatureMapping("input")
        .dataSetLabelMapping("label")
        .build());
  }

  /** Loads a flat vector in {@link DenseNetwork}'s layout (per layer: weights row-major, biases). */
  void setParameters(float[] flat) {
    int offset = 0;
    for (SDVariable variable : parametersInFlatOrder) {
      INDArray array = variable.getArr();
      int n = (int) array.length();
      float[] slice = new float[n];
      System.arraycopy(flat, offset, slice, 0, n);
      array.assign(Nd4j.create(slice, array.shape(), 'c'));
      offset += n;
    }
  }

  float[] parameters() {
    int total = 0;
    for (SDVariable variable : parametersInFlatOrder) {
      total += (int) variable.getArr().length();
    }
    float[] out = new float[total];
    int offset = 0;
    for (SDVariable variable : parametersInFlatOrder) {
      float[] values = variable.getArr().dup('c').data().asFloat();
      System.arraycopy(values, 0, out, offset, values.length);
      offset += values.length;
    }
    return out;
  }

  /** One pass over {@code data} in row order, in batches of {@code batchSize}. */
  void fit(DataSet data, int batchSize, int epochs) {
    sd.fit(new ViewIterator(data, batchSize), epochs);
  }

  /** Features and one-hot labels as SameDiff's {@code fit} takes them. */
  static DataSet toDataSet(Dataset data) {
    INDArray features = Nd4j.create(data.features(), new long[] {data.rows(), data.cols()}, 'c');
    float[] oneHot = new float[data.rows() * data.numClasses()];
    for (int r = 0; r < data.rows(); r++) {
      oneHot[r * data.numClasses() + data.label(r)] = 1f;
    }
    INDArray labels = Nd4j.create(oneHot, new long[] {data.rows(), data.numClasses()}, 'c');
    return new DataSet(features, labels);
  }

  int[] widths() {
    return widths.clone();
  }
}
