package org.fedmesh.deploy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the demo and the benchmarks on the newest JDK on the machine. The jar is built for Java 17, but a secure
 * round tags every ring piece with ChaCha20-Poly1305, which JDK 20+ turns into vector instructions (about 12 GB/s
 * here against 0.5-0.7 GB/s on JDK 17; {@code PieceMac}). Long-running members ({@code run}) stay on the JVM the
 * operator chose, and so does everything when {@code FEDMESH_NO_RELAUNCH} is set.
 */
final class NewestJdk {
  static final String NO_RELAUNCH = "FEDMESH_NO_RELAUNCH";
  private static final int FAST_CHACHA_FEATURE = 21;
  private static final Pattern RELEASE_VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

  private NewestJdk() {}

  static boolean shouldRelaunch(String[] args) {
    if (System.getenv(NO_RELAUNCH) != null || Runtime.version().feature() >= FAST_CHACHA_FEATURE) {
      return false;
    }
    boolean throughputBound = args.length > 0 && (args[0].equals("demo") || args[0].equals("bench"));
    return throughputBound && find().isPresent();
  }

  /** Starts the same command on the newest JDK, passing on stdio, and returns its exit code. */
  static int relaunch(Class<?> main, String[] args) {
    Path java = find().orElseThrow();
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    // ND4J's JavaCPP uses sun.misc.Unsafe and JNI; newer JDKs warn about both unless allowed.
    command.add("--sun-misc-unsafe-memory-access=allow");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    System.err.println("fedmesh: running on " + java.getParent().getParent() + " (JDK " + featureOf(java.getParent()
        .getParent()).orElse(0) + ", faster ChaCha20-Poly1305 than this JDK " + Runtime.version().feature()
        + "); set " + NO_RELAUNCH + "=1 to stay");
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().put(NO_RELAUNCH, "1");
    try {
      Process child = builder.start();
      Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));
      return child.waitFor();
    } catch (IOException e) {
      System.err.println("fedmesh: could not start " + java + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /** The java launcher of the newest JDK >= 21 under JAVA_HOME or /usr/lib/jvm, if any. */
  static Optional<Path> find() {
    List<Path> homes = new ArrayList<>();
    String javaHome = System.getenv("JAVA_HOME");
    if (javaHome != null) {
      homes.add(Path.of(javaHome));
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvms)) {
        dirs.forEach(homes::add);
      } catch (IOException ignored) {
        // no candidates there
      }
    }
    Path best = null;
    int bestFeature = FAST_CHACHA_FEATURE - 1;
    for (Path home : homes) {
      Path java = home.resolve("bin/java");
      Optional<Integer> feature = featureOf(home);
      if (Files.isExecutable(java) && feature.isPresent() && feature.get() > bestFeature) {
        best = java;
        bestFeature = feature.get();
      }
    }
    return Optional.ofNullable(best);
  }

  private static Optional<Integer> featureOf(Path home) {
    try {
      Matcher m = RELEASE_VERSION.matcher(Files.readString(home.resolve("release")));
      return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
