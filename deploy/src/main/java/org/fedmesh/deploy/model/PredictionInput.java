package org.fedmesh.deploy.model;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.fedmesh.node.data.DataFormatException;
import org.fedmesh.node.data.Dataset;

/**
 * Rows to predict, read as strictly as training data ({@code CsvLoader}): UTF-8, a header row, every feature
 * cell a finite number; any problem is a {@link DataFormatException} naming file, line and column. Columns are
 * found by the model's feature names (any order; other columns, such as the label, are ignored); a model without
 * feature names takes the first {@code inputs} columns in order.
 */
public final class PredictionInput {
  private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(false).setTrim(true).get();

  /** The rows, unscaled, and the line each came from. */
  public record Rows(Dataset data, long[] lines) {}

  private PredictionInput() {}

  public static Rows read(Path file, List<String> features, int inputs) {
    String source = file.toString();
    try (Reader reader = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
         CSVParser parser = CSVParser.parse(reader, FORMAT)) {
      Iterator<CSVRecord> records = parser.iterator();
      long[] line = new long[1];
      CSVRecord header = next(parser, records, line);
      if (header == null) {
        throw new DataFormatException(source, "empty file: a header row is required");
      }
      long headerLine = line[0];
      int[] columns = columns(source, headerLine, header.toList(), features, inputs);
      List<float[]> rows = new ArrayList<>();
      List<Long> lines = new ArrayList<>();
      for (CSVRecord r = next(parser, records, line); r != null; r = next(parser, records, line)) {
        if (r.size() != header.size()) {
          throw new DataFormatException(source, line[0], Math.min(r.size(), header.size()) + 1,
              r.size() < header.size() ? header.get(r.size()) : null,
              "ragged row: expected " + header.size() + " cells, found " + r.size());
        }
        float[] values = new float[inputs];
        for (int i = 0; i < inputs; i++) {
          values[i] = number(source, line[0], columns[i], header.get(columns[i]), r.get(columns[i]));
        }
        rows.add(values);
        lines.add(line[0]);
      }
      if (rows.isEmpty()) {
        throw new DataFormatException(source, headerLine, "header only: the file has no rows to predict");
      }
      float[] all = new float[rows.size() * inputs];
      for (int i = 0; i < rows.size(); i++) {
        System.arraycopy(rows.get(i), 0, all, i * inputs, inputs);
      }
      Dataset data = new Dataset(file.getFileName().toString(), all, rows.size(), inputs, new float[rows.size()], 0,
          List.of());
      return new Rows(data, lines.stream().mapToLong(Long::longValue).toArray());
    } catch (NoSuchFileException e) {
      throw new DataFormatException(source, "no such file", e);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new DataFormatException(source, "not UTF-8 text", e);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new DataFormatException(source, "cannot read: " + e.getMessage(), e);
    }
  }

  /** Which column of the file holds each of the model's inputs. */
  private static int[] columns(String source, long line, List<String> header, List<String> features, int inputs) {
    int[] columns = new int[inputs];
    if (features == null) {
      if (header.size() < inputs) {
        throw new DataFormatException(source, line, "the model reads " + inputs + " columns, the header has "
            + header.size());
      }
      for (int i = 0; i < inputs; i++) {
        columns[i] = i;
      }
      return columns;
    }
    Map<String, Integer> index = new HashMap<>();
    for (int c = 0; c < header.size(); c++) {
      Integer previous = index.putIfAbsent(header.get(c), c);
      if (previous != null) {
        throw new DataFormatException(source, line, c + 1, header.get(c),
            "duplicate column name in header (also column " + (previous + 1) + ")");
      }
    }
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < inputs; i++) {
      Integer c = index.get(features.get(i));
      if (c == null) {
        missing.add(features.get(i));
      } else {
        columns[i] = c;
      }
    }
    if (!missing.isEmpty()) {
      throw new DataFormatException(source, line, "missing column(s) the model reads: " + String.join(", ", missing));
    }
    return columns;
  }

  private static float number(String source, long line, int column, String name, String cell) {
    if (cell.isEmpty()) {
      throw new DataFormatException(source, line, column + 1, name, "empty cell");
    }
    double value;
    try {
      value = Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      throw new DataFormatException(source, line, column + 1, name, "not a number: \"" + cell + "\"");
    }
    if (!Double.isFinite(value) || !Float.isFinite((float) value)) {
      throw new DataFormatException(source, line, column + 1, name, "not a finite number: \"" + cell + "\"");
    }
    return (float) value;
  }

  /** The next record that is not a blank line, {@code line[0]} set to the line it starts on; null at the end. */
  private static CSVRecord next(CSVParser parser, Iterator<CSVRecord> records, long[] line) {
    while (true) {
      long at = parser.getCurrentLineNumber() + 1;
      if (!records.hasNext()) {
        return null;
      }
      CSVRecord r = records.next();
      if (r.size() == 1 && r.get(0).isEmpty()) {
        continue;
      }
      line[0] = at;
      return r;
    }
  }
}
