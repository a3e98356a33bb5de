package org.fedmesh.node;

import java.nio.file.Path;
import org.fedmesh.node.data.CsvLoader;
import org.fedmesh.node.data.DataReport;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.FashionMnist;
import org.fedmesh.node.data.Scaler;
import org.fedmesh.node.data.Splits;
import org.fedmesh.node.data.Task;
import org.fedmesh.node.data.TrainTest;

/**
 * A member's own data as its configuration describes it: loaded and checked (any malformed cell is an error
 * naming file, line and column), put in the consortium's class order, split into local training and held-out
 * rows, and scaled by a fixed constant when configured ({@code standardize} is done in training).
 */
public final class SiteData {
  private SiteData() {}

  public static TrainTest load(NodeSettings.DataSettings settings) {
    return prepare(settings).data();
  }

  /**
   * The data as {@link #load} gives it, with its scaler (for an exported model). With {@code standardize} the rows
   * are unscaled and the scaler is the identity: the consortium's statistics are learnt in the first round and
   * kept in the model ({@link org.fedmesh.node.round.ConsortiumScaling}).
   */
  public record Prepared(TrainTest data, Scaler scaler, DataReport report) {}

  public static Prepared prepare(NodeSettings.DataSettings settings) {
    Path path = Path.of(settings.path());
    Task task = settings.task().equals("regression") ? Task.REGRESSION : Task.CLASSIFICATION;
    Dataset all = switch (settings.format()) {
      case "fashion-mnist" -> FashionMnist.load(path).train();
      default -> CsvLoader.load(path, settings.labelColumn().isEmpty() ? null : settings.labelColumn(), task);
    };
    if (all.isClassification() && !settings.classes().isEmpty()) {
      all = all.withClasses(settings.classes());
    }
    TrainTest split = settings.testFraction() > 0
        ? Splits.trainTest(all, settings.testFraction(), settings.seed())
        : new TrainTest(all, all.subset(new int[0]));
    Scaler scaler = scalerFor(settings.scaling());
    return new Prepared(new TrainTest(scaler.apply(split.train()), scaler.apply(split.test())), scaler,
        DataReport.of(all, split));
  }

  /** Fixed constants only: {@code standardize} happens in training, with the consortium's statistics. */
  private static Scaler scalerFor(String scaling) {
    if (scaling.startsWith("divide:")) {
      return Scaler.divideBy(Float.parseFloat(scaling.substring("divide:".length())));
    }
    return Scaler.divideBy(1f);
  }
}
