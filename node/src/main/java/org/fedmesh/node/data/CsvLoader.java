package org.fedmesh.node.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Loads a numeric table from CSV (UTF-8, comma separated, header row required).
 *
 * <p>Every column except the label must hold finite numbers. Anything else is refused with a
 * {@link DataFormatException} naming file, line and column: a member should learn that its data is
 * broken before it trains on it, not from a NaN model later.
 */
public final class CsvLoader {

  private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
      // Blank lines are skipped here rather than by the parser, so that line numbers stay exact.
      .setIgnoreEmptyLines(false)
      .setTrim(true)
      .get();

  private CsvLoader() {
  }

  /**
   * @param labelColumn name of the label column; {@code null} means the last column
   */
  public static Dataset load(Path file, String labelColumn, Task task) {
    Objects.requireNonNull(file, "file");
    String source = file.toString();
    if (Files.isDirectory(file)) {
      throw new DataFormatException(source, "is a directory, not a CSV file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return load(in, source, labelColumn, task);
    } catch (NoSuchFileException e) {
      throw new DataFormatException(source, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new DataFormatException(source, "permission denied", e);
    } catch (IOException e) {
      throw new DataFormatException(source, "cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a table from a stream (for example a classpath resource); the stream is not closed.
   *
   * @param sourceName how error messages name the data, typically its file name
   * @param labelColumn name of the label column; {@code null} means the last column
   */
  public static Dataset load(InputStream in, String sourceName, String labelColumn, Task task) {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(task, "task");
    // A strict decoder: mojibake in a label would silently become another class.
    Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT));
    try {
      CSVParser parser = CSVParser.parse(reader, FORMAT);
      return new TableReader(parser, sourceName, labelColumn, task).read();
    } catch (UncheckedIOException e) {
      throw readFailure(sourceName, e.getCause());
    } catch (IOException e) {
      throw readFailure(sourceName, e);
    }
  }

  private static DataFormatException readFailure(String source, IOException e) {
    if (e instanceof CharacterCodingException) {
      return new DataFormatException(source, "not UTF-8 text", e);
    }
    return new DataFormatException(source, "malformed CSV: " + e.getMessage(), e);
  }

  /** Name of a data set loaded from a file: the file name without its extension. */
  static String datasetName(String source) {
    String fileName = source.replace('\\', '/');
    fileName = fileName.substring(fileName.lastIndexOf('/') + 1);
    int dot = fileName.lastIndexOf('.');
    return dot > 0 ? fileName.substring(0, dot) : fileName;
  }

  /** One pass over one table. */
  private static final class TableReader {
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final String source;
    private final String requestedLabel;
    private final Task task;

    private List<String> header;
    private long headerLine;
    private int labelIndex;

    TableReader(CSVParser parser, String source, String requestedLabel, Task task) {
      this.parser = parser;
      this.records = parser.iterator();
      this.source = source;
      this.requestedLabel = requestedLabel;
      this.task = task;
    }

    Dataset read() {
      readHeader();
      int cols = header.size() - 1;
      FloatArrayBuilder features = new FloatArrayBuilder(1024 * cols);
      FloatArrayBuilder numericTargets = new FloatArrayBuilder(1024);
      List<String> labels = new ArrayList<>();
      int rows = 0;
      for (Row row = nextRow(); row != null; row = nextRow()) {
        CSVRecord record = row.record();
        if (record.size() != header.size()) {
          throw raggedRow(row.line(), record.size());
        }
        if ((rows + 1L) * cols > Integer.MAX_VALUE - 8) {
          throw new DataFormatException(source, row.line(), "too many values for one table");
        }
        for (int c = 0; c < header.size(); c++) {
          if (c == labelIndex) {
            String label = record.get(c);
            if (label.isEmpty()) {
              throw cellError(row.line(), c, "empty cell");
            }
            if (task == Task.REGRESSION) {
              numericTargets.add(parseFloat(label, row.line(), c));
            } else {
              labels.add(label);
            }
          } else {
            features.add(parseFloat(record.get(c), row.line(), c));
          }
        }
        rows++;
      }
      if (rows == 0) {
        throw new DataFormatException(source, headerLine, "header only: the file has no data rows");
      }
      String name = datasetName(source);
      if (task == Task.REGRESSION) {
        return new Dataset(name, features.toArray(), rows, cols, numericTargets.toArray(), 0, List.of());
      }
      LabelEncoder encoder = LabelEncoder.fit(labels);
      if (encoder.classNames().size() < 2) {
        throw new DataFormatException(source, "label column '" + header.get(labelIndex) + "' has "
            + encoder.classNames().size() + " class " + encoder.classNames()
            + "; classification needs at least 2");
      }
      float[] targets = new float[rows];
      for (int r = 0; r < rows; r++) {
        targets[r] = encoder.indexOf(labels.get(r));
      }
      return new Dataset(name, features.toArray(), rows, cols, targets, encoder.classNames().size(),
          encoder.classNames());
    }

    private void readHeader() {
      Row first = nextRow();
      if (first == null) {
        throw new DataFormatException(source, "empty file: a header row is required");
      }
      headerLine = first.line();
      header = first.record().toList();
      Map<String, Integer> seen = new HashMap<>();
      for (int c = 0; c < header.size(); c++) {
        String name = header.get(c);
        if (name.isEmpty()) {
          throw new DataFormatException(source, headerLine, c + 1, null, "empty column name in header");
        }
        Integer previous = seen.putIfAbsent(name, c);
        if (previous != null) {
          throw new DataFormatException(source, headerLine, c + 1, name,
              "duplicate column name in header (also column " + (previous + 1) + ")");
        }
      }
      if (header.size() < 2) {
        throw new DataFormatException(source, headerLine,
            "need at least 2 columns (features and a label), the header has " + header.size());
      }
      if (requestedLabel == null) {
        labelIndex = header.size() - 1;
      } else {
        Integer index = seen.get(requestedLabel);
        if (index == null) {
          throw new DataFormatException(source, headerLine, "unknown label column '" + requestedLabel
              + "'; available columns: " + String.join(", ", header));
        }
        labelIndex = index;
      }
    }

    /** The next record that is not a blank line, with the line it starts on; null at the end. */
    private Row nextRow() {
      while (true) {
        // The parser reads one record ahead only inside hasNext(), so the line count taken
        // before it is the count of lines before the next record.
        long line = parser.getCurrentLineNumber() + 1;
        if (!records.hasNext()) {
          return null;
        }
        CSVRecord record = records.next();
        if (record.size() == 1 && record.get(0).isEmpty()) {
          continue;
        }
        return new Row(record, line);
      }
    }

    private float parseFloat(String cell, long line, int c) {
      if (cell.isEmpty()) {
        throw cellError(line, c, "empty cell");
      }
      double value;
      try {
        value = Double.parseDouble(cell);
      } catch (NumberFormatException e) {
        throw cellError(line, c, "not a number: \"" + cell + "\"");
      }
      // Double.parseDouble accepts "NaN" and "Infinity"; a model cannot use them.
      if (!Double.isFinite(value)) {
        throw cellError(line, c, "not a finite number: \"" + cell + "\"");
      }
      float f = (float) value;
      if (!Float.isFinite(f)) {
        throw cellError(line, c, "out of float range: \"" + cell + "\"");
      }
      return f;
    }

    private DataFormatException raggedRow(long line, int cells) {
      int expected = header.size();
      // Point at the first cell that is missing or extra.
      int column = Math.min(cells, expected) + 1;
      String columnName = cells < expected ? header.get(cells) : null;
      return new DataFormatException(source, line, column, columnName,
          "ragged row: expected " + expected + " cells, found " + cells);
    }

    private DataFormatException cellError(long line, int c, String problem) {
      return new DataFormatException(source, line, c + 1, header.get(c), problem);
    }
  }

  private record Row(CSVRecord record, long line) {
  }
}
