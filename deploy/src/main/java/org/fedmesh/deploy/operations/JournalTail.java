package org.fedmesh.deploy.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The last line of a member's commit journal ({@code commits.jsonl}), read from the end of the file so that a long
 * history costs nothing: the round, hash, source and signers (the participants of that round's ring).
 */
final class JournalTail {
  /** A journal line holds one certificate: a few KB per signer; this holds every line a ring of 32 could write. */
  private static final int TAIL_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  record Last(long round, String hash, String source, long atMs, List<String> signers) {}

  private JournalTail() {}

  static Optional<Last> read(Path journal) {
    if (journal == null || !Files.isRegularFile(journal)) {
      return Optional.empty();
    }
    try (RandomAccessFile file = new RandomAccessFile(journal.toFile(), "r")) {
      long length = file.length();
      int size = (int) Math.min(length, TAIL_BYTES);
      byte[] tail = new byte[size];
      file.seek(length - size);
      file.readFully(tail);
      String text = new String(tail, StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        return Optional.empty();
      }
      String line = text.substring(text.lastIndexOf('\n') + 1);
      JsonNode entry = JSON.readTree(line);
      List<String> signers = new ArrayList<>();
      entry.path("signers").forEach(s -> signers.add(s.asText()));
      return Optional.of(new Last(entry.path("round").asLong(), entry.path("hash").asText(),
          entry.path("source").asText(), entry.path("at_ms").asLong(), List.copyOf(signers)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // a line being written, or a damaged journal: `fedmesh audit` is the place to see it
    }
  }
}
