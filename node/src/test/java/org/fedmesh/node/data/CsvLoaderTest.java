package org.fedmesh.node.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class CsvLoaderTest {

  @TempDir
  Path dir;

  @Test
  void load_validClassificationCsv_givesValuesShapeAndSortedClasses() throws IOException {
    Path file = write("animals.csv", """
        weight,height,species
        1.5,20,dog
        0.5,-3e1,cat
        "2",7.25,dog
        """);

    Dataset data = CsvLoader.load(file, null, Task.CLASSIFICATION);

    assertEquals("animals", data.name());
    assertEquals(3, data.rows());
    assertEquals(2, data.cols());
    assertArrayEquals(new float[] {1.5f, 20f, 0.5f, -30f, 2f, 7.25f}, data.features());
    assertEquals(List.of("cat", "dog"), data.classNames());
    assertArrayEquals(new float[] {1, 0, 1}, data.targets());
    assertEquals(2, data.numClasses());
    assertTrue(data.isClassification());
  }

  @Test
  void load_numericLabels_areOrderedByValue() throws IOException {
    Path file = write("numbers.csv", "x,label\n1,10\n2,2\n3,1\n4,2.0\n");

    Dataset data = CsvLoader.load(file, "label", Task.CLASSIFICATION);

    assertEquals(List.of("1", "2", "10"), data.classNames());
    // "2" and "2.0" are the same class.
    assertArrayEquals(new float[] {2, 1, 0, 1}, data.targets());
  }

  @Test
  void load_labelColumnInTheMiddle_isLeftOutOfTheFeatures() throws IOException {
    Path file = write("middle.csv", "a,y,b\n1,yes,2\n3,no,4\n");

    Dataset data = CsvLoader.load(file, "y", Task.CLASSIFICATION);

    assertArrayEquals(new float[] {1, 2, 3, 4}, data.features());
    assertArrayEquals(new float[] {1, 0}, data.targets());
  }

  @Test
  void load_regression_keepsTargetValues() throws IOException {
    Path file = write("prices.csv", "rooms,price\n3,250000.5\n1,-12\n");

    Dataset data = CsvLoader.load(file, null, Task.REGRESSION);

    assertEquals(0, data.numClasses());
    assertEquals(List.of(), data.classNames());
    assertArrayEquals(new float[] {250000.5f, -12f}, data.targets());
  }

  @Test
  void load_blankLines_areSkippedAndLineNumbersStayExact() throws IOException {
    Path file = write("blank.csv", "a,b,label\n\n1,2,x\n\n3,oops,y\n");

    DataFormatException e = assertThrows(DataFormatException.class,
        () -> CsvLoader.load(file, null, Task.CLASSIFICATION));

    assertTrue(e.getMessage().startsWith(file + ":5:2 (column 'b'): not a number: \"oops\""), e.getMessage());
    assertEquals(5, e.line());
    assertEquals(2, e.column());
  }

  @Test
  void load_fromStream_namesTheSourceInErrors() {
    var in = new ByteArrayInputStream("a,label\n1,x\nzz,y\n".getBytes(StandardCharsets.UTF_8));

    DataFormatException e = assertThrows(DataFormatException.class,
        () -> CsvLoader.load(in, "resource.csv", null, Task.CLASSIFICATION));

    assertTrue(e.getMessage().startsWith("resource.csv:3:1 (column 'a'): not a number"), e.getMessage());
  }

  @Test
  void load_missingFile_isRefusedNamingTheFile() {
    Path missing = dir.resolve("nowhere.csv");

    DataFormatException e = assertThrows(DataFormatException.class,
        () -> CsvLoader.load(missing, null, Task.CLASSIFICATION));

    assertTrue(e.getMessage().contains("nowhere.csv") && e.getMessage().contains("no such file"), e.getMessage());
  }

  @Test
  void load_directory_isRefusedNamingIt() {
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> CsvLoader.load(dir, null, Task.CLASSIFICATION));

    assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
  }

  /** Each malformed file: content, expected message start after the file path. */
  @TestFactory
  Stream<DynamicTest> load_malformedFile_isRefusedNamingFileLineAndColumn() {
    return Stream.of(
        malformed("empty", "", null, Task.CLASSIFICATION, ": empty file"),
        malformed("blankOnly", "\n\n", null, Task.CLASSIFICATION, ": empty file"),
        malformed("headerOnly", "a,b,label\n", null, Task.CLASSIFICATION, ":1: header only"),
        malformed("raggedShort", "a,b,label\n1,2,x\n3,y\n", null, Task.CLASSIFICATION,
            ":3:3 (column 'label'): ragged row: expected 3 cells, found 2"),
        malformed("raggedLong", "a,b,label\n1,2,x,4\n", null, Task.CLASSIFICATION,
            ":2:4: ragged row: expected 3 cells, found 4"),
        malformed("notNumber", "a,b,label\n1,2,x\n3,abc,y\n", null, Task.CLASSIFICATION,
            ":3:2 (column 'b'): not a number: \"abc\""),
        malformed("emptyCell", "a,b,label\n1,,x\n", null, Task.CLASSIFICATION,
            ":2:2 (column 'b'): empty cell"),
        malformed("emptyLabel", "a,b,label\n1,2,\n", null, Task.CLASSIFICATION,
            ":2:3 (column 'label'): empty cell"),
        malformed("nan", "a,b,label\n1,NaN,x\n", null, Task.CLASSIFICATION,
            ":2:2 (column 'b'): not a finite number: \"NaN\""),
        malformed("infinity", "a,b,label\nInfinity,1,x\n", null, Task.CLASSIFICATION,
            ":2:1 (column 'a'): not a finite number: \"Infinity\""),
        malformed("negativeInfinity", "a,b,label\n1,2,x\n-Infinity,1,x\n", null, Task.CLASSIFICATION,
            ":3:1 (column 'a'): not a finite number"),
        malformed("beyondFloat", "a,b,label\n1e39,1,x\n", null, Task.CLASSIFICATION,
            ":2:1 (column 'a'): out of float range: \"1e39\""),
        malformed("unknownLabel", "a,b,label\n1,2,x\n", "diagnosis", Task.CLASSIFICATION,
            ":1: unknown label column 'diagnosis'; available columns: a, b, label"),
        malformed("duplicateHeader", "a,b,a,label\n1,2,3,x\n", null, Task.CLASSIFICATION,
            ":1:3 (column 'a'): duplicate column name in header (also column 1)"),
        malformed("emptyHeaderName", "a,,label\n1,2,x\n", null, Task.CLASSIFICATION,
            ":1:2: empty column name in header"),
        malformed("oneColumn", "label\nx\n", null, Task.CLASSIFICATION, ":1: need at least 2 columns"),
        malformed("oneClass", "a,label\n1,x\n2,x\n", null, Task.CLASSIFICATION,
            ": label column 'label' has 1 class [x]; classification needs at least 2"),
        malformed("regressionTextLabel", "a,price\n1,cheap\n", null, Task.REGRESSION,
            ":2:2 (column 'price'): not a number: \"cheap\""),
        malformed("regressionNanLabel", "a,price\n1,NaN\n", null, Task.REGRESSION,
            ":2:2 (column 'price'): not a finite number"),
        malformed("unclosedQuote", "a,label\n\"1,x\n", null, Task.CLASSIFICATION, ": malformed CSV"));
  }

  @Test
  void load_invalidUtf8_isRefused() throws IOException {
    Path file = dir.resolve("latin1.csv");
    Files.write(file, new byte[] {'a', ',', 'l', '\n', '1', ',', (byte) 0xE9, '\n', '2', ',', 'x', '\n'});

    DataFormatException e = assertThrows(DataFormatException.class,
        () -> CsvLoader.load(file, null, Task.CLASSIFICATION));

    assertTrue(e.getMessage().startsWith(file + ": not UTF-8 text"), e.getMessage());
  }

  private DynamicTest malformed(String name, String content, String label, Task task, String expectedAfterPath) {
    return DynamicTest.dynamicTest(name, () -> {
      Path file = write(name + ".csv", content);
      DataFormatException e = assertThrows(DataFormatException.class, () -> CsvLoader.load(file, label, task));
      assertTrue(e.getMessage().startsWith(file + expectedAfterPath),
          "expected '" + file + expectedAfterPath + "...', got: " + e.getMessage());
      assertEquals(file.toString(), e.source());
    });
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }
}
