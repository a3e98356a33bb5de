package org.fedmesh.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.node.data.Dataset;

/**
 * The same model, batch and optimizer in plain numpy ({@code benchmarks/numpy_mlp.py} or {@code numpy_cnn.py},
 * carried in the jar), run as a python3 process on exactly the rows the Java side trains on, written to temporary
 * files once. Each
 * {@link #pass()} is one process that warms up and times one pass, so that passes can alternate with the Java
 * ones on a shared machine.
 */
final class NumpyReference implements AutoCloseable {
  static final String MLP = "numpy_mlp.py";
  static final String CNN = "numpy_cnn.py";

  private final Path dir;
  private final String script;
  private final List<String> command;

  private NumpyReference(Path dir, String script, List<String> command) {
    this.dir = dir;
    this.script = script;
    this.command = command;
  }

  /** numpy's version when {@code python3} with numpy can run here, else empty. */
  static Optional<String> numpyVersion() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy; print(numpy.__version__)")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Writes {@code rows} and the script to a temporary directory; each pass runs the script with the data files
   * and {@code modelArguments} (epochs, batch, optimizer, shape).
   */
  static NumpyReference prepare(String script, Dataset rows, List<String> modelArguments) throws IOException {
    Path dir = Files.createTempDirectory("fedmesh-numpy-bench");
    Path file = dir.resolve(script);
    try (InputStream in = NumpyReference.class.getClassLoader().getResourceAsStream("benchmarks/" + script)) {
      if (in == null) {
        throw new IOException("benchmarks/" + script + " is not in the jar (was it built from this source tree?)");
      }
      Files.copy(in, file);
    }
    Path features = dir.resolve("features.f32");
    Path labels = dir.resolve("labels.i32");
    writeRows(rows, features, labels);
    List<String> command = new ArrayList<>(List.of("python3", file.toString(), "--features", features.toString(),
        "--labels", labels.toString(), "--rows", Integer.toString(rows.rows()), "--cols",
        Integer.toString(rows.cols()), "--classes", Integer.toString(rows.numClasses())));
    command.addAll(modelArguments);
    return new NumpyReference(dir, script, List.copyOf(command));
  }

  /** One timed pass in a fresh python3 process: samples per second. */
  double pass() throws IOException, InterruptedException {
    return runScript(script, command).path("samples_per_second").asDouble(Double.NaN);
  }

  /** Runs a numpy script to its end and reads the JSON object on its last line of output. */
  static JsonNode runScript(String script, List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    int exit = p.waitFor();
    if (exit != 0) {
      throw new IOException(script + " exited with " + exit + ": " + out);
    }
    return new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
  }

  /** The rows' features (float32, row-major) and labels (int32), little-endian, as the numpy scripts read them. */
  static void writeRows(Dataset rows, Path features, Path labels) throws IOException {
    writeFloats(features, rows.features(), (long) rows.rows() * rows.cols());
    ByteBuffer labelBytes = ByteBuffer.allocate(4 * rows.rows()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows.rows(); i++) {
      labelBytes.putInt(rows.label(i));
    }
    Files.write(labels, labelBytes.array());
  }

  @Override
  public void close() {
    EmbeddedConsortium.deleteTree(dir);
  }

  private static void writeFloats(Path file, float[] values, long count) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long i = 0; i < count; i++) {
        if (!buffer.hasRemaining()) {
          buffer.flip();
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
          buffer.clear();
        }
        buffer.putFloat(values[(int) i]);
      }
      buffer.flip();
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
    }
  }
}
