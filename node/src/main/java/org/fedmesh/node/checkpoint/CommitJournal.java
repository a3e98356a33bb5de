package org.fedmesh.node.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.node.round.ModelState;

/**
 * {@code commits.jsonl}: one JSON line per model a member adopted, an audit trail. {@code round}, {@code hash},
 * {@code source} ({@code commit} or {@code catch_up}) and {@code at_ms} come first, for scripts that read them;
 * {@code signers} (for people) and {@code certificate} (base64 of the canonical commit certificate, for
 * {@code fedmesh audit}) follow.
 */
public final class CommitJournal {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One line: {@code line} counts from 1; {@code certificate} is the encoded commit certificate, null when the line
   * has none.
   */
  public record Entry(int line, long round, String hash, String source, long atMs, byte[] certificate) {}

  private final Path file;

  public CommitJournal(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** Appends the line for {@code state}, adopted by {@code source} on {@code certificate} (may be null). */
  public void append(ModelState state, CheckpointStore.Source source, byte[] certificate) throws IOException {
    ObjectNode line = JSON.createObjectNode()
        .put("round", state.round())
        .put("hash", state.hash())
        .put("source", source.name().toLowerCase(Locale.ROOT))
        .put("at_ms", System.currentTimeMillis());
    if (certificate != null) {
      CommitCertificate.decode(certificate).signers().forEach(line.putArray("signers")::add);
      line.put("certificate", Base64.getEncoder().encodeToString(certificate));
    }
    Files.writeString(file, JSON.writeValueAsString(line) + "\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  /** Every line, in order; an empty list when there is no journal. */
  public List<Entry> read() throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      entries.add(parse(i + 1, lines.get(i)));
    }
    return entries;
  }

  /** The last line, read from the end of the file (the journal grows with every round). */
  public Optional<Entry> last() throws IOException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      for (int window = 64 * 1024; ; window *= 2) {
        int size = (int) Math.min(length, window);
        byte[] tail = new byte[size];
        in.seek(length - size);
        in.readFully(tail);
        String text = new String(tail, StandardCharsets.UTF_8).stripTrailing();
        int start = text.lastIndexOf('\n');
        if (start >= 0 || size == length) {
          return text.isEmpty() ? Optional.empty() : Optional.of(parse(-1, text.substring(start + 1)));
        }
      }
    } catch (java.io.FileNotFoundException e) {
      return Optional.empty();
    }
  }

  private Entry parse(int number, String text) throws IOException {
    String where = file + (number > 0 ? " line " + number : " (last line)");
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.path("round").canConvertToLong() || !node.path("hash").isTextual()
          || !node.path("source").isTextual()) {
        throw new IOException(where + " is not a journal entry (round, hash, source)");
      }
      JsonNode certificate = node.path("certificate");
      return new Entry(number, node.get("round").asLong(), node.get("hash").asText(), node.get("source").asText(),
          node.path("at_ms").asLong(), certificate.isTextual() ? Base64.getDecoder().decode(certificate.asText())
              : null);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IOException(where + " is not valid: " + e.getMessage(), e);
    }
  }
}
