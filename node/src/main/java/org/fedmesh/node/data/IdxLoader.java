package org.fedmesh.node.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST-like data sets (gzip-compressed, as distributed, or plain): big-endian
 * int32 magic number, dimensions, then unsigned bytes.
 */
public final class IdxLoader {

  /** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
  public static final int IMAGES_MAGIC = 0x00000803;
  /** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  private static final int MAX_VALUES = Integer.MAX_VALUE - 8;

  private IdxLoader() {
  }

  /** Images as raw pixel values 0..255, row-major, one image after the other. */
  public record Images(int count, int height, int width, float[] pixels) {
    public Images {
      if ((long) count * height * width != pixels.length) {
        throw new IllegalArgumentException(pixels.length + " pixels for " + count + " images of "
            + height + " x " + width);
      }
    }
  }

  public static Images readImages(Path file) {
    String source = file.toString();
    try (DataInputStream in = open(file)) {
      int magic = readHeaderInt(in, source);
      requireMagic(magic, IMAGES_MAGIC, source);
      int count = readDimension(in, source, "image count");
      int height = readDimension(in, source, "image height");
      int width = readDimension(in, source, "image width");
      if (height == 0 || width == 0) {
        throw new DataFormatException(source, "images of " + height + " x " + width + " pixels");
      }
      long total = (long) count * height * width;
      if (total > MAX_VALUES) {
        throw new DataFormatException(source, count + " images of " + height + " x " + width
            + " pixels are too many for one array");
      }
      float[] pixels = new float[(int) total];
      readUnsignedBytes(in, pixels, source, count + " images of " + height + " x " + width + " pixels");
      requireEnd(in, source, count + " images");
      return new Images(count, height, width, pixels);
    } catch (IOException e) {
      throw readFailure(source, e);
    }
  }

  public static int[] readLabels(Path file) {
    String source = file.toString();
    try (DataInputStream in = open(file)) {
      int magic = readHeaderInt(in, source);
      requireMagic(magic, LABELS_MAGIC, source);
      int count = readDimension(in, source, "label count");
      float[] values = new float[count];
      readUnsignedBytes(in, values, source, count + " labels");
      requireEnd(in, source, count + " labels");
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = (int) values[i];
      }
      return labels;
    } catch (IOException e) {
      throw readFailure(source, e);
    }
  }

  /**
   * Pairs an image file with its label file.
   *
   * @param classNames one name per class; every label must be an index into it
   */
  public static Dataset load(Path imagesFile, Path labelsFile, String name, List<String> classNames) {
    Images images = readImages(imagesFile);
    int[] labels = readLabels(labelsFile);
    if (labels.length != images.count()) {
      throw new DataFormatException(labelsFile.toString(), labels.length + " labels for "
          + images.count() + " images in " + imagesFile);
    }
    float[] targets = new float[labels.length];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= classNames.size()) {
        throw new DataFormatException(labelsFile.toString(), "label " + labels[i] + " of item " + i
            + " is outside the " + classNames.size() + " classes 0.." + (classNames.size() - 1));
      }
      targets[i] = labels[i];
    }
    return new Dataset(name, images.pixels(), images.count(), images.height() * images.width(), targets,
        classNames.size(), classNames);
  }

  private static DataInputStream open(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new DataFormatException(file.toString(), "is a directory, not an IDX file");
    }
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    raw.mark(2);
    boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
    raw.reset();
    return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
  }

  private static int readHeaderInt(DataInputStream in, String source) throws IOException {
    try {
      return in.readInt();
    } catch (EOFException e) {
      throw new DataFormatException(source, "truncated: the file ends inside the IDX header", e);
    }
  }

  private static void requireMagic(int magic, int expected, String source) {
    if (magic != expected) {
      throw new DataFormatException(source, String.format(
          "wrong magic number 0x%08x, expected 0x%08x (%s)", magic, expected, describe(expected)));
    }
  }

  private static String describe(int magic) {
    return magic == IMAGES_MAGIC ? "IDX images: unsigned bytes, 3 dimensions"
        : "IDX labels: unsigned bytes, 1 dimension";
  }

  private static int readDimension(DataInputStream in, String source, String what) throws IOException {
    int value = readHeaderInt(in, source);
    if (value < 0) {
      throw new DataFormatException(source, what + " is negative: " + value);
    }
    return value;
  }

  private static void readUnsignedBytes(InputStream in, float[] into, String source, String expected)
      throws IOException {
    byte[] chunk = new byte[1 << 16];
    int done = 0;
    while (done < into.length) {
      int n = in.read(chunk, 0, Math.min(chunk.length, into.length - done));
      if (n < 0) {
        throw new DataFormatException(source, "truncated: expected " + expected + " (" + into.length
            + " bytes of data), the data ends after " + done + " bytes");
      }
      for (int i = 0; i < n; i++) {
        into[done + i] = chunk[i] & 0xff;
      }
      done += n;
    }
  }

  private static void requireEnd(InputStream in, String source, String what) throws IOException {
    if (in.read() >= 0) {
      throw new DataFormatException(source, "unexpected data after the " + what
          + " the header announces");
    }
  }

  private static DataFormatException readFailure(String source, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new DataFormatException(source, "no such file", e);
    }
    if (e instanceof AccessDeniedException) {
      return new DataFormatException(source, "permission denied", e);
    }
    if (e instanceof EOFException) {
      return new DataFormatException(source, "truncated: " + e.getMessage(), e);
    }
    if (e instanceof ZipException) {
      return new DataFormatException(source, "corrupt gzip data: " + e.getMessage(), e);
    }
    return new DataFormatException(source, "cannot read: " + e.getMessage(), e);
  }
}
