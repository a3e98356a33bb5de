package org.fedmesh.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The JSON report every job writes with {@code --report}: its figures under the keys BENCHMARKS.md quotes. */
public final class JsonReport {
  private JsonReport() {}

  public static void write(Path file, Map<String, ?> report) throws IOException {
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
    System.out.println("Report written to " + file);
  }
}
