package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs deploy/chaos/random-chaos.sh against the packaged jar. Its work directory (every member's logs, one file
 * per start, and commit journal) is kept under deploy/target/NAME for a look after a failure.
 */
record ChaosScript(int exitCode, JsonNode report, String output) {

  static ChaosScript run(String name, Duration timeout, String... arguments) throws IOException, InterruptedException {
    Path deploy = Path.of(System.getProperty("user.dir")); // the deploy module runs its tests
    Path root = deploy.getParent();
    Path dir = deploy.resolve("target").resolve(name);
    deleteRecursively(dir);
    Files.createDirectories(dir);
    Path report = dir.resolve("report.json");
    List<String> command = new ArrayList<>(List.of("bash", root.resolve("deploy/chaos/random-chaos.sh").toString()));
    command.addAll(List.of(arguments));
    command.addAll(List.of("--report", report.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("chaos.log").toFile());
    builder.environment().put("CHAOS_WORK", dir.resolve("work").toString());
    Process chaos = builder.start();
    if (!chaos.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      chaos.destroy(); // SIGTERM: the script's exit trap stops every member it started
      chaos.waitFor(30, TimeUnit.SECONDS);
    }
    String output = Files.readString(dir.resolve("chaos.log"));
    assertTrue(!chaos.isAlive() && Files.exists(report),
        "the chaos script finished within " + timeout + " and wrote its report:\n" + output);
    return new ChaosScript(chaos.exitValue(), new ObjectMapper().readTree(report.toFile()), output);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
