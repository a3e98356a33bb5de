package org.fedmesh.node.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxLoaderTest {

  private static final List<String> THREE_CLASSES = List.of("a", "b", "c");

  @TempDir
  Path dir;

  @Test
  void load_gzipImagesAndLabels_givesRawPixelsAndLabels() throws IOException {
    Path images = write("images.gz", true, imagesFile(IdxLoader.IMAGES_MAGIC, 2, 2, 3,
        new int[] {0, 1, 2, 3, 254, 255, 10, 20, 30, 40, 50, 128}));
    Path labels = write("labels.gz", true, labelsFile(IdxLoader.LABELS_MAGIC, 2, new int[] {2, 0}));

    Dataset data = IdxLoader.load(images, labels, "tiny", THREE_CLASSES);

    assertEquals(2, data.rows());
    assertEquals(6, data.cols());
    assertArrayEquals(new float[] {0, 1, 2, 3, 254, 255, 10, 20, 30, 40, 50, 128}, data.features());
    assertArrayEquals(new float[] {2, 0}, data.targets());
    assertEquals(THREE_CLASSES, data.classNames());
  }

  @Test
  void load_uncompressedFiles_areReadToo() throws IOException {
    Path images = write("images", false, imagesFile(IdxLoader.IMAGES_MAGIC, 1, 1, 2, new int[] {7, 9}));
    Path labels = write("labels", false, labelsFile(IdxLoader.LABELS_MAGIC, 1, new int[] {1}));

    Dataset data = IdxLoader.load(images, labels, "tiny", THREE_CLASSES);

    assertArrayEquals(new float[] {7, 9}, data.features());
  }

  @Test
  void readImages_wrongMagic_isRefusedNamingTheFile() throws IOException {
    Path labelsAsImages = write("swapped.gz", true, labelsFile(IdxLoader.LABELS_MAGIC, 1, new int[] {1}));

    DataFormatException e = assertThrows(DataFormatException.class, () -> IdxLoader.readImages(labelsAsImages));

    assertTrue(e.getMessage().startsWith(labelsAsImages + ": wrong magic number 0x00000801, expected 0x00000803"),
        e.getMessage());
  }

  @Test
  void readLabels_wrongMagic_isRefused() throws IOException {
    Path file = write("bad-labels.gz", true, labelsFile(0x12345678, 1, new int[] {1}));

    DataFormatException e = assertThrows(DataFormatException.class, () -> IdxLoader.readLabels(file));

    assertTrue(e.getMessage().contains("bad-labels.gz: wrong magic number 0x12345678"), e.getMessage());
  }

  @Test
  void readImages_truncatedPixels_isRefused() throws IOException {
    byte[] full = imagesFile(IdxLoader.IMAGES_MAGIC, 3, 2, 2, new int[12]);
    Path file = write("short.gz", true, Arrays.copyOf(full, full.length - 5));

    DataFormatException e = assertThrows(DataFormatException.class, () -> IdxLoader.readImages(file));

    assertTrue(e.getMessage().startsWith(file + ": truncated: expected 3 images of 2 x 2 pixels"), e.getMessage());
  }

  @Test
  void readImages_truncatedHeader_isRefused() throws IOException {
    Path file = write("header.gz", true, new byte[] {0, 0, 8, 3, 0, 0});

    DataFormatException e = assertThrows(DataFormatException.class, () -> IdxLoader.readImages(file));

    assertTrue(e.getMessage().startsWith(file + ": truncated"), e.getMessage());
  }

  @Test
  void readImages_cutGzipStream_isRefused() throws IOException {
    Path whole = write("whole.gz", true, imagesFile(IdxLoader.IMAGES_MAGIC, 50, 10, 10, new int[5000]));
    byte[] gz = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.gz");
    Files.write(cut, Arrays.copyOf(gz, gz.length / 2));

    DataFormatException e = assertThrows(DataFormatException.class, () -> IdxLoader.readImages(cut));

    assertTrue(e.getMessage().startsWith(cut + ": "), e.getMessage());
  }

  @Test
  void readImages_trailingData_isRefused() throws IOException {
    byte[] full = imagesFile(IdxLoader.IMAGES_MAGIC, 1, 1, 2, new int[] {1, 2});
    Path file = write("long.gz", true, Arrays.copyOf(full, full.length + 1));

    DataFormatException e = assertThrows(DataFormatException.class, () -> IdxLoader.readImages(file));

    assertTrue(e.getMessage().contains("unexpected data after the 1 images"), e.getMessage());
  }

  @Test
  void load_imageAndLabelCountMismatch_isRefused() throws IOException {
    Path images = write("images.gz", true, imagesFile(IdxLoader.IMAGES_MAGIC, 2, 1, 1, new int[] {1, 2}));
    Path labels = write("labels.gz", true, labelsFile(IdxLoader.LABELS_MAGIC, 3, new int[] {0, 1, 2}));

    DataFormatException e = assertThrows(DataFormatException.class,
        () -> IdxLoader.load(images, labels, "tiny", THREE_CLASSES));

    assertTrue(e.getMessage().startsWith(labels + ": 3 labels for 2 images"), e.getMessage());
  }

  @Test
  void load_labelBeyondTheClasses_isRefused() throws IOException {
    Path images = write("images.gz", true, imagesFile(IdxLoader.IMAGES_MAGIC, 2, 1, 1, new int[] {1, 2}));
    Path labels = write("labels.gz", true, labelsFile(IdxLoader.LABELS_MAGIC, 2, new int[] {0, 7}));

    DataFormatException e = assertThrows(DataFormatException.class,
        () -> IdxLoader.load(images, labels, "tiny", THREE_CLASSES));

    assertTrue(e.getMessage().contains("label 7 of item 1 is outside the 3 classes"), e.getMessage());
  }

  @Test
  void readImages_missingFile_isRefusedNamingIt() {
    Path missing = dir.resolve("absent-idx3-ubyte.gz");

    DataFormatException e = assertThrows(DataFormatException.class, () -> IdxLoader.readImages(missing));

    assertEquals(missing + ": no such file", e.getMessage());
  }

  static byte[] imagesFile(int magic, int count, int rows, int cols, int[] pixels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(count);
    out.writeInt(rows);
    out.writeInt(cols);
    for (int p : pixels) {
      out.writeByte(p);
    }
    return bytes.toByteArray();
  }

  static byte[] labelsFile(int magic, int count, int[] labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(count);
    for (int label : labels) {
      out.writeByte(label);
    }
    return bytes.toByteArray();
  }

  private Path write(String name, boolean gzip, byte[] content) throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(content);
    }
    return file;
  }
}
