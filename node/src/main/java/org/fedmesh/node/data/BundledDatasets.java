package org.fedmesh.node.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Small real data sets shipped in the jar (see {@code datasets/README.md} for sources and licences),
 * so that a demo or test runs without downloads.
 */
public final class BundledDatasets {

  private record Entry(String name, String resource, String labelColumn, Task task) {
  }

  private static final List<Entry> ENTRIES = List.of(
      new Entry("breast-cancer", "breast_cancer.csv", "diagnosis", Task.CLASSIFICATION),
      new Entry("digits", "digits.csv", "digit", Task.CLASSIFICATION));

  private BundledDatasets() {
  }

  /** The names {@link #load} accepts. */
  public static List<String> names() {
    return ENTRIES.stream().map(Entry::name).toList();
  }

  public static Dataset load(String name) {
    Entry entry = ENTRIES.stream().filter(e -> e.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown bundled data set '" + name
            + "'; available: " + String.join(", ", names())));
    String path = "/datasets/" + entry.resource();
    try (InputStream in = BundledDatasets.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("resource " + path + " is missing from the classpath");
      }
      return CsvLoader.load(in, entry.resource(), entry.labelColumn(), entry.task()).withName(entry.name());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + path, e);
    }
  }
}
