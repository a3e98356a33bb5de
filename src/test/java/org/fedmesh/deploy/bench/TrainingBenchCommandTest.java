package org.fedmesh.deploy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.fedmesh.deploy.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingBenchCommandTest {

  @TempDir
  Path dir;

  /**
   * A short real run on the bundled digits (8x8 images, so a one-convolution CNN): every implementation's passes are
   * in the report, and numpy's exactly when python3 with numpy is installed here (else the report says it was
   * skipped and why).
   */
  @Test
  void shortRun_reportsEachImplementationsPasses_andNumpyWhenInstalled() throws Exception {
    Path report = dir.resolve("training.json");
    int exit = Main.commandLine().execute("bench", "training", "--dataset", "digits", "--samples", "640",
        "--cnn", "cnn:4", "--cnn-samples", "128", "--repeats", "1", "--max-repeats", "2", "--report",
        report.toString());
    assertEquals(0, exit);
    JsonNode r = new ObjectMapper().readTree(report.toFile());
    int passes = r.get("passes").asInt();
    assertTrue(passes >= 1 && passes <= 2, r.toString());
    assertEquals(passes, r.get("hand_written_passes").size());
    assertEquals(passes, r.get("samediff_passes").size());
    assertTrue(r.get("hand_written_samples_per_second").asDouble() > 0, r.toString());
    assertTrue(r.get("model").asText().startsWith("mlp:128 [64, 128, 10]"), r.toString());
    int cnnPasses = r.get("cnn_passes").asInt();
    assertEquals(cnnPasses, r.get("cnn_hand_written_passes").size());
    assertEquals(cnnPasses, r.get("cnn_samediff_passes").size());
    assertTrue(r.get("cnn_model").asText().startsWith("cnn:4 8x8"), r.toString());
    // 8x8 -> 4x4 maps of 4 channels: 16 x 25 x 4 forward and as much for the kernel's gradient; 2 x 2 x 4 x 10 dense
    // forward, weight and input gradients.
    assertEquals(2 * 1600 + 3 * 160, r.get("cnn_multiply_adds_per_sample").asLong());
    assertTrue(r.get("core_sgemm_gflops").asDouble() > 0, r.toString());
    if (NumpyReference.numpyVersion().isPresent()) {
      assertEquals(passes, r.get("numpy_passes").size(), r.toString());
      assertTrue(r.get("numpy_samples_per_second").asDouble() > 0, r.toString());
      assertTrue(r.get("hand_written_over_numpy").asDouble() > 0, r.toString());
      assertEquals(cnnPasses, r.get("cnn_numpy_passes").size(), r.toString());
      assertTrue(r.get("cnn_numpy_samples_per_second").asDouble() > 0, r.toString());
    } else {
      assertTrue(r.get("numpy_samples_per_second").isNull(), r.toString());
      assertTrue(r.get("cnn_numpy_samples_per_second").isNull(), r.toString());
      assertTrue(r.get("numpy_note").asText().startsWith("skipped"), r.toString());
    }
  }

  @Test
  void passFigures_settleWhenTheLastThreeAgree() {
    PassFigures f = new PassFigures();
    f.add(50_000);
    f.add(100_000);
    assertFalse(f.settled(), "two passes are too few");
    f.add(103_000);
    assertFalse(f.settled(), "50k against 100k is not settled");
    f.add(98_000);
    assertTrue(f.settled(), "100k, 103k, 98k lie within 5% of 100k");
    assertEquals(99_000, f.median());
    assertEquals(53_000.0 / 99_000, f.relativeSpread(), 1e-12);
  }
}
