package org.fedmesh.deploy.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.fedmesh.node.data.Scaler;
import org.fedmesh.node.model.Model;
import org.fedmesh.node.model.ModelSpec;
import org.fedmesh.node.round.ModelState;

/**
 * A committed model as {@code fedmesh export} writes it and {@code fedmesh predict} reads it: what the model is
 * (spec, inputs, classes), how its inputs were prepared (feature names, scaling statistics), where it comes from
 * (round, hash, the signers of its commit) and its parameters. JSON, so that any tool can read it.
 *
 * <p>Parameters: for each dense layer in order, its weights row-major ({@code inputs x outputs}), then its biases;
 * ReLU between layers; the output is a sigmoid (logistic: one output, class 1 when it is at least 0.5), a softmax
 * (one output per class) or the value itself (linear).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExportedModel(
    @JsonProperty("format") String format,
    @JsonProperty("format_version") int formatVersion,
    @JsonProperty("model_spec") String modelSpec,
    @JsonProperty("task") String task,
    @JsonProperty("inputs") int inputs,
    @JsonProperty("classes") List<String> classes,
    @JsonProperty("features") List<String> features,
    @JsonProperty("label_column") String labelColumn,
    @JsonProperty("scaling") Scaling scaling,
    @JsonProperty("round") long round,
    @JsonProperty("hash") String hash,
    @JsonProperty("exported_from") String exportedFrom,
    @JsonProperty("signers") List<String> signers,
    @JsonProperty("parameters") float[] parameters) {

  public static final String FORMAT = "fedmesh-model";
  public static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * How the member scaled its features before training: {@code (x - shift) / divisor} per column, or every column
   * divided by {@code divide_by}. {@code method} is the site config's {@code data.scaling}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Scaling(@JsonProperty("method") String method, @JsonProperty("shift") float[] shift,
                        @JsonProperty("divisor") float[] divisor, @JsonProperty("divide_by") Float divideBy) {
    static Scaling of(String method, Scaler scaler) {
      Scaler.Description d = scaler.describe();
      return d.shift() == null ? new Scaling(method, null, null, d.uniformDivisor())
          : new Scaling(method, d.shift(), d.divisor(), null);
    }

    @JsonIgnore
    public Scaler scaler() {
      return Scaler.of(new Scaler.Description(shift, divisor, divideBy == null ? 1f : divideBy));
    }
  }

  /**
   * @param network the network's parameters: the state's, without the consortium's statistics when it keeps them
   *                (they are in {@code scaler})
   */
  public static ExportedModel of(ModelSpec spec, int inputs, List<String> classes, List<String> features,
                                 String labelColumn, String scalingMethod, Scaler scaler, ModelState state,
                                 float[] network, String exportedFrom, List<String> signers) {
    ExportedModel model = new ExportedModel(FORMAT, FORMAT_VERSION, spec.toString(),
        classes.isEmpty() ? "regression" : "classification", inputs, List.copyOf(classes), features, labelColumn,
        Scaling.of(scalingMethod, scaler), state.round(), state.hash(), exportedFrom, signers, network);
    model.check();
    return model;
  }

  /** The network this file describes; its parameter count must match. */
  @JsonIgnore
  public Model network() {
    return ModelSpec.parse(modelSpec).build(inputs, classes == null ? 0 : classes.size());
  }

  @JsonIgnore
  public boolean isClassification() {
    return classes != null && !classes.isEmpty();
  }

  /** A file whose parts do not fit together is refused, naming what does not fit. */
  void check() {
    if (!FORMAT.equals(format) || formatVersion != FORMAT_VERSION) {
      throw new IllegalArgumentException("not a " + FORMAT + " file of version " + FORMAT_VERSION + " (format "
          + format + ", version " + formatVersion + ")");
    }
    if (parameters == null) {
      throw new IllegalArgumentException("the model has no parameters");
    }
    Model network = network();
    if (network.parameterCount() != parameters.length) {
      throw new IllegalArgumentException(modelSpec + " on " + inputs + " inputs has " + network.parameterCount()
          + " parameters, the file holds " + parameters.length);
    }
    if (features != null && features.size() != inputs) {
      throw new IllegalArgumentException(features.size() + " feature names for " + inputs + " inputs");
    }
    if (scaling == null) {
      throw new IllegalArgumentException("the model says nothing about its scaling");
    }
    if (scaling.shift() != null && scaling.shift().length != inputs) {
      throw new IllegalArgumentException("scaling statistics for " + scaling.shift().length + " columns, the model"
          + " reads " + inputs);
    }
    scaling.scaler();
  }

  public void write(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  public static ExportedModel read(Path file) throws IOException {
    ExportedModel model;
    try {
      model = JSON.readValue(file.toFile(), ExportedModel.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(file + " is not a fedmesh model file: " + e.getOriginalMessage());
    }
    try {
      model.check();
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage());
    }
    return model;
  }
}
