package org.fedmesh.node.data;

/**
 * A data file that cannot be used, with a message that points at the problem the way a compiler
 * does: {@code breast.csv:12:4 (column 'mean_area'): not a number: "abc"}.
 *
 * <p>The message always starts with the source (file path or resource name); line and column are
 * 1-based and present when the problem has a position.
 */
public final class DataFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final long line;
  private final int column;

  /** A problem with the file as a whole. */
  public DataFormatException(String source, String problem) {
    this(source, problem, null);
  }

  public DataFormatException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
    this.source = source;
    this.line = 0;
    this.column = 0;
  }

  /** A problem on one line, not tied to a column. */
  public DataFormatException(String source, long line, String problem) {
    super(source + ":" + line + ": " + problem);
    this.source = source;
    this.line = line;
    this.column = 0;
  }

  /** A problem in one cell. */
  public DataFormatException(String source, long line, int column, String columnName, String problem) {
    super(source + ":" + line + ":" + column
        + (columnName == null ? "" : " (column '" + columnName + "')") + ": " + problem);
    this.source = source;
    this.line = line;
    this.column = column;
  }

  /** The file path or resource name. */
  public String source() {
    return source;
  }

  /** 1-based line, or 0 when the problem is not on one line. */
  public long line() {
    return line;
  }

  /** 1-based column, or 0 when the problem is not in one cell. */
  public int column() {
    return column;
  }
}
