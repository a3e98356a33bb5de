package org.fedmesh.deploy.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import org.fedmesh.node.data.BundledDatasets;
import org.fedmesh.node.data.CsvLoader;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.FashionMnist;
import org.fedmesh.node.data.Scaler;
import org.fedmesh.node.data.Splits;
import org.fedmesh.node.data.SyntheticData;
import org.fedmesh.node.data.Task;
import org.fedmesh.node.data.TrainTest;
import org.fedmesh.node.model.ModelSpec;

/**
 * The data set a demo trains on, scaled and split, with the model that suits it.
 *
 * <p>Pixels are divided by 255, a constant every member knows. Tables are standardised: {@code data} with the
 * statistics of the pooled training rows, which only what sees all rows may use (the centralized baseline, the
 * numpy yardstick, a demo with DP); the members get {@code raw} and learn the same statistics with the secure sum
 * ({@code ConsortiumScaling}).
 *
 * @param raw the same split unscaled, for members that standardise with the consortium's statistics; null when
 *            the data set is scaled by a constant
 */
public record DemoData(String name, String source, TrainTest data, TrainTest raw, int numClasses,
                       ModelSpec defaultModel, String defaultOptimizer, int defaultBatchSize,
                       double defaultAdaptiveServerRate) {

  public static final String FASHION_MNIST = "fashion-mnist";

  /** Fashion-MNIST when installed, else the bundled breast-cancer set. */
  public static String defaultName() {
    return FashionMnist.isInstalled(FashionMnist.DEFAULT_DIRECTORY) ? FASHION_MNIST : "breast-cancer";
  }

  public static DemoData load(String name, long seed) {
    switch (name) {
      case FASHION_MNIST: {
        if (!FashionMnist.isInstalled(FashionMnist.DEFAULT_DIRECTORY)) {
          throw new IllegalArgumentException("Fashion-MNIST is not installed in " + FashionMnist.DEFAULT_DIRECTORY
              + " (apt-get install dataset-fashion-mnist)");
        }
        TrainTest raw = FashionMnist.load(FashionMnist.DEFAULT_DIRECTORY);
        Scaler pixels = Scaler.divideBy(255f);
        return new DemoData(name, FashionMnist.DEFAULT_DIRECTORY.toString(),
            new TrainTest(pixels.apply(raw.train()), pixels.apply(raw.test())), null, 10, ModelSpec.mlp(128),
            // Momentum SGD measured best of plain, momentum, FedProx and FedAvgM on the Dirichlet(0.5) split.
            // FedAdam's server rate 0.01 reached 0.861 in 20 rounds on 5 Dirichlet(0.5) members; 0.1 swung to 0.848.
            "sgd:0.05,0.9", 64, 0.01);
      }
      case "breast-cancer":
        return tabular(name, "bundled UCI Breast Cancer Wisconsin (Diagnostic)", BundledDatasets.load(name), seed,
            ModelSpec.logistic());
      case "digits":
        return tabular(name, "bundled UCI Optical Recognition of Handwritten Digits", BundledDatasets.load(name),
            seed, ModelSpec.softmax());
      case "synthetic":
        return tabular(name, "synthetic Gaussian blobs", SyntheticData.classification(seed, 6000, 20, 4), seed,
            ModelSpec.softmax());
      default: {
        Path file = Path.of(name);
        if (!Files.exists(file)) {
          throw new IllegalArgumentException("unknown data set '" + name + "': expected fashion-mnist, "
              + "breast-cancer, digits, synthetic or the path of a CSV file");
        }
        Dataset csv = CsvLoader.load(file, null, Task.CLASSIFICATION);
        return tabular(file.getFileName().toString(), file.toString(), csv, seed,
            csv.numClasses() == 2 ? ModelSpec.logistic() : ModelSpec.softmax());
      }
    }
  }

  private static DemoData tabular(String name, String source, Dataset all, long seed, ModelSpec model) {
    TrainTest split = Splits.trainTest(all, 0.25, seed);
    Scaler scaler = Scaler.standardize(split.train());
    return new DemoData(name, source, new TrainTest(scaler.apply(split.train()), scaler.apply(split.test())), split,
        // Small tables: a few steps per epoch per member, so a larger rate than for images (BENCHMARKS.md).
        // A linear model's weights are a few units: FedAdam's per-coordinate steps of about 0.01 took breast cancer
        // only to 0.894 in 10 rounds, 0.1 to 0.986.
        all.numClasses(), model, "sgd:0.1", 16, 0.1);
  }
}
