package org.fedmesh.node.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.mpc.RoundResult;
import org.fedmesh.mpc.SignedRoundResult;
import org.fedmesh.node.round.ModelState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
  @TempDir
  Path dir;

  @Test
  void load_nothingSaved_isEmpty() throws IOException {
    assertTrue(new CheckpointStore(dir).load().isEmpty());
  }

  @Test
  void save_thenLoad_givesTheSameStateAndHash() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    ModelState state = ModelState.of(7, new float[] {1.5f, -2f, Float.MIN_VALUE}, new float[] {0.25f});
    store.save(state);
    store.save(ModelState.of(8, new float[] {3f, 4f, 5f}, new float[] {0.5f}));
    ModelState loaded = store.load().orElseThrow();
    assertEquals(8, loaded.round());
    assertArrayEquals(new float[] {3f, 4f, 5f}, loaded.parameters());
    assertArrayEquals(new float[] {0.5f}, loaded.optimizerState());
    assertEquals(ModelState.hashOf(new float[] {3f, 4f, 5f}, new float[] {0.5f}), loaded.hash());
    assertFalse(Files.exists(dir.resolve("model.ckpt.tmp")), "no temporary file left behind");
  }

  @Test
  void load_damagedFile_isRefusedNotTrainedOn() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    store.save(ModelState.of(3, new float[] {1f, 2f, 3f, 4f}, new float[0]));
    byte[] bytes = Files.readAllBytes(store.file());
    bytes[bytes.length - 6] ^= 0x40; // flip a bit inside the parameters
    Files.write(store.file(), bytes);
    IOException e = assertThrows(IOException.class, store::load);
    assertTrue(e.getMessage().contains("damaged"), e.getMessage());
  }

  @Test
  void load_truncatedFile_isRefused() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    store.save(ModelState.of(3, new float[] {1f, 2f, 3f, 4f}, new float[0]));
    byte[] bytes = Files.readAllBytes(store.file());
    Files.write(store.file(), java.util.Arrays.copyOf(bytes, bytes.length - 5), StandardOpenOption.TRUNCATE_EXISTING);
    IOException e = assertThrows(IOException.class, store::load);
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void save_crashBeforeRename_leavesThePreviousCheckpoint() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    store.save(ModelState.of(4, new float[] {1f}, new float[0]));
    // A crash mid-save leaves a partial temporary file; it must not affect what a restart loads.
    Files.write(dir.resolve("model.ckpt.tmp"), new byte[] {1, 2, 3});
    assertEquals(4, store.load().orElseThrow().round());
  }

  @Test
  void save_withSource_appendsOneJournalLinePerModel() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    ModelState first = ModelState.of(1, new float[] {1f}, new float[0]);
    ModelState second = ModelState.of(5, new float[] {2f}, new float[0]);
    store.save(first, CheckpointStore.Source.COMMIT, null);
    store.save(second, CheckpointStore.Source.CATCH_UP, null);
    java.util.List<String> lines = Files.readAllLines(store.journal());
    assertEquals(2, lines.size());
    assertTrue(lines.get(0).startsWith("{\"round\":1,\"hash\":\"" + first.hash() + "\",\"source\":\"commit\""),
        lines.get(0));
    assertTrue(lines.get(1).contains("\"round\":5") && lines.get(1).contains("\"source\":\"catch_up\""), lines.get(1));
  }

  @Test
  void save_withACertificate_journalsItsSignersAndTheCertificate_andCertificateOfReadsItBack() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    ModelState first = ModelState.of(1, new float[] {1f}, new float[0]);
    ModelState second = ModelState.of(2, new float[] {2f}, new float[0]);
    // 60 signers: a line longer than the 64 KiB that the last line is first looked for in
    byte[] certificate = certificate(first.hash(), second.hash(), 60);
    store.save(first, CheckpointStore.Source.COMMIT, null);
    store.save(second, CheckpointStore.Source.COMMIT, certificate);
    String line = Files.readAllLines(store.journal()).get(1);
    assertTrue(line.startsWith("{\"round\":2,\"hash\":\"" + second.hash() + "\",\"source\":\"commit\",\"at_ms\":"),
        line);
    assertTrue(line.contains("\"signers\":[\"site-0\",\"site-1\","), line);
    assertTrue(line.length() > 64 * 1024, "line of " + line.length());
    assertArrayEquals(certificate, store.certificateOf(second).orElseThrow());
    assertTrue(store.certificateOf(first).isEmpty(), "only the last line is the held model's");
    assertEquals(2, store.commits().read().size());
  }

  private static byte[] certificate(String before, String after, int signers) {
    RoundResult result = new RoundResult(2, 1, new byte[16], java.util.stream.IntStream.range(0, signers)
        .mapToObj(i -> "site-" + i).toList(), before, after);
    return new CommitCertificate(result, result.ring().stream()
        .map(id -> new SignedRoundResult(result, id, new byte[384], new byte[1200])).toList()).encode();
  }
}
