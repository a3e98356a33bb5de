package org.fedmesh.node.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which model the consortium trains, as written on the command line: {@code logistic} (binary,
 * sigmoid + cross-entropy), {@code softmax} (multinomial logistic regression), {@code linear}
 * (least squares), {@code mlp:256,128} (ReLU hidden layers of those widths, softmax output) or
 * {@code cnn:16,32} (5x5 convolutions with those channel counts, each with ReLU and 2x2 max pooling, then a
 * softmax layer: {@link ConvNetwork}).
 * {@link #toString()} gives the spec back, so {@code parse(spec.toString()).equals(spec)}.
 */
public record ModelSpec(Kind kind, List<Integer> hiddenLayers) {

  /** Widest hidden layer accepted; far beyond what local training on a CPU can use. */
  static final int MAX_WIDTH = 1 << 16;

  public enum Kind {
    LOGISTIC, SOFTMAX, LINEAR, MLP, CNN;

    String specName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ModelSpec {
    Objects.requireNonNull(kind, "kind");
    hiddenLayers = List.copyOf(hiddenLayers);
    if (kind == Kind.MLP && hiddenLayers.isEmpty()) {
      throw new IllegalArgumentException("an mlp needs at least one hidden layer, e.g. mlp:128");
    }
    if (kind == Kind.CNN && hiddenLayers.isEmpty()) {
      throw new IllegalArgumentException("a cnn needs at least one convolution, e.g. cnn:16,32");
    }
    if (kind != Kind.MLP && kind != Kind.CNN && !hiddenLayers.isEmpty()) {
      throw new IllegalArgumentException(kind.specName() + " has no hidden layers");
    }
    for (int width : hiddenLayers) {
      if (width < 1 || width > MAX_WIDTH) {
        throw new IllegalArgumentException("hidden layer width must be in 1.." + MAX_WIDTH + ", got " + width);
      }
    }
  }

  public static ModelSpec logistic() {
    return new ModelSpec(Kind.LOGISTIC, List.of());
  }

  public static ModelSpec softmax() {
    return new ModelSpec(Kind.SOFTMAX, List.of());
  }

  public static ModelSpec linear() {
    return new ModelSpec(Kind.LINEAR, List.of());
  }

  public static ModelSpec mlp(int... hiddenWidths) {
    List<Integer> widths = new ArrayList<>();
    for (int w : hiddenWidths) {
      widths.add(w);
    }
    return new ModelSpec(Kind.MLP, widths);
  }

  public static ModelSpec cnn(int... channels) {
    List<Integer> list = new ArrayList<>();
    for (int c : channels) {
      list.add(c);
    }
    return new ModelSpec(Kind.CNN, list);
  }

  public static ModelSpec parse(String spec) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "logistic":
        return logistic();
      case "softmax":
        return softmax();
      case "linear":
        return linear();
      default:
        break;
    }
    Kind layered = s.startsWith("mlp:") ? Kind.MLP : s.startsWith("cnn:") ? Kind.CNN : null;
    if (layered != null) {
      String[] parts = s.substring("mlp:".length()).split(",", -1);
      List<Integer> widths = new ArrayList<>();
      for (String part : parts) {
        try {
          widths.add(Integer.parseInt(part.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("model '" + spec + "': layer widths must be "
              + "positive integers separated by commas, e.g. mlp:256,128 or cnn:16,32; got '" + part.trim() + "'", e);
        }
      }
      try {
        return new ModelSpec(layered, widths);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("model '" + spec + "': " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException("unknown model '" + spec
        + "': expected logistic, softmax, linear, mlp:WIDTH[,WIDTH...] (e.g. mlp:256,128) or"
        + " cnn:CHANNELS[,CHANNELS...] (e.g. cnn:16,32)");
  }

  /** Whether the model predicts classes (everything but {@code linear}). */
  public boolean isClassification() {
    return kind != Kind.LINEAR;
  }

  /**
   * The model for data with {@code inputs} feature columns and {@code numClasses} classes
   * (0 for regression).
   */
  public Model build(int inputs, int numClasses) {
    return kind == Kind.CNN ? ConvNetwork.of(this, inputs, numClasses) : DenseNetwork.of(this, inputs, numClasses);
  }

  @Override
  public String toString() {
    if (hiddenLayers.isEmpty()) {
      return kind.specName();
    }
    return kind.specName() + ":" + hiddenLayers.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
