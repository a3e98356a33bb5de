package org.fedmesh.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A consortium of {@code fedmesh run --config} processes of the packaged jar on 127.0.0.1, set up as an operator
 * would: {@code ca init}, {@code data split}, {@code cert issue} per site, one site config each, mutual TLS (the
 * default). For process-level tests; every process it starts is stopped by {@link #close}. Its work directory (each
 * member's log, config and journal) is kept for a look after a failure.
 */
final class RunConsortium implements AutoCloseable {
  private static final Pattern JOURNAL_ROUND = Pattern.compile("\"round\":(\\d+),\"hash\":\"([0-9a-f]+)\"");

  private final Path root;
  private final Path jar;
  private final Path work;
  private final List<String> sites = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final List<Process> helpers = new ArrayList<>();

  private RunConsortium(Path root, Path work) {
    this.root = root;
    this.jar = root.resolve("deploy/target/fedmesh.jar");
    this.work = work;
  }

  /**
   * Sets up {@code members} sites training without end (rounds = 0) and starts the first {@code running} of them
   * with {@code fedmesh run} (the others are the caller's to start, see {@link #siteConfig}); the work goes under
   * {@code work}, emptied first.
   */
  static RunConsortium start(Path work, int members, int running) throws IOException, InterruptedException {
    org.fedmesh.deploy.demo.EmbeddedConsortium.deleteTree(work);
    Path root = Path.of(System.getProperty("user.dir")).getParent(); // the deploy module runs its tests
    RunConsortium consortium = new RunConsortium(root, work);
    consortium.setUp(members);
    for (String site : consortium.sites.subList(0, running)) {
      consortium.startMember(site);
    }
    return consortium;
  }

  private void setUp(int members) throws IOException, InterruptedException {
    Files.createDirectories(work);
    fedmesh("ca", "init", "--out", work.resolve("ca").toString(), "--name", "attacked");
    fedmesh("data", "split", "--dataset", "breast-cancer", "--parts", String.valueOf(members), "--out",
        work.resolve("data").toString());
    for (int i = 1; i <= members; i++) {
      sites.add("site-" + i);
      ports.add(freePort());
    }
    StringBuilder seeds = new StringBuilder();
    for (int port : ports) {
      seeds.append(seeds.length() == 0 ? "" : ", ").append("\"127.0.0.1:").append(port).append('"');
    }
    for (int i = 0; i < members; i++) {
      String site = sites.get(i);
      Path dir = work.resolve(site);
      Files.createDirectories(dir);
      issue(site, dir.resolve("identity"));
      Files.writeString(dir.resolve("site.conf"), """
          fedmesh {
            node-id = "%s"
            host = "127.0.0.1"
            port = %d
            seed-nodes = [%s]
            rounds = 0
            model.spec = "mlp:32"
            training { local-epochs = 20, batch-size = 8, optimizer = "sgd:0.02" }
            data { path = "%s", classes = ["benign", "malignant"], test-fraction = 0.2 }
            identity { key = "%s", certificate = "%s", ca = "%s" }
            identity.revocation-list = "%s"
            tls.revocation-check-interval = 1s
            checkpoint-dir = "%s"
            # a round takes about a second here: a silent ring member should not cost two minutes
            coordinator { min-participants = 3, round-deadline = 15s }
          }
          """.formatted(site, ports.get(i), seeds, work.resolve("data/part-" + (i + 1) + ".csv"),
          dir.resolve("identity/node.key"), dir.resolve("identity/node.crt"), dir.resolve("identity/ca.crt"),
          work.resolve("ca/revoked.crl"), dir.resolve("checkpoints")));
    }
  }

  /** {@code fedmesh ca revoke --node NODE_ID}: the members reload the list within a second and down its holder. */
  void revoke(String nodeId) throws IOException, InterruptedException {
    fedmesh("ca", "revoke", "--ca", work.resolve("ca").toString(), "--node", nodeId, "--reason", "key compromise");
  }

  Path siteConfig(String site) {
    return work.resolve(site).resolve("site.conf");
  }

  /** Issues a certificate of this consortium's CA for {@code nodeId} into {@code out} (node.key, node.crt, ca.crt). */
  void issue(String nodeId, Path out) throws IOException, InterruptedException {
    fedmesh("cert", "issue", "--ca", work.resolve("ca").toString(), "--node", nodeId, "--host", "127.0.0.1",
        "--out", out.toString());
  }

  private void startMember(String site) throws IOException {
    Path dir = work.resolve(site);
    ProcessBuilder builder = new ProcessBuilder(java(), "-XX:+UseSerialGC", "-Xmx512m", "-jar", jar.toString(),
        "run", "--config", dir.resolve("site.conf").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
    builder.environment().put("FEDMESH_NO_RELAUNCH", "1");
    processes.put(site, builder.start());
  }

  /** Runs a {@code fedmesh} command of the jar to completion; fails with its output when it does not exit 0. */
  private void fedmesh(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toString()));
    command.addAll(List.of(arguments));
    Path out = Files.createTempFile(work, "command", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    builder.environment().put("FEDMESH_NO_RELAUNCH", "1");
    Process p = builder.start();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", arguments) + " failed:\n" + Files.readString(out));
    }
  }

  /**
   * Starts the test classpath's {@code mainClass} as a process of its own, stopped by {@link #stop} with the
   * members; {@link Started#await} its end.
   */
  Started startJava(String mainClass, String... arguments) throws IOException {
    String classpath = jar + java.io.File.pathSeparator + root.resolve("deploy/target/test-classes");
    List<String> command = new ArrayList<>(List.of(java(), "-cp", classpath, mainClass));
    command.addAll(List.of(arguments));
    Path out = Files.createTempFile(work, mainClass.substring(mainClass.lastIndexOf('.') + 1), ".log");
    Started started = new Started(mainClass, new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start(), out);
    helpers.add(started.process());
    return started;
  }

  /** A process started by {@link #startJava}, its output going to {@code out}. */
  record Started(String name, Process process, Path out) {
    Result await(Duration timeout) throws IOException, InterruptedException {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(name + " did not finish within " + timeout + ":\n" + Files.readString(out));
      }
      return new Result(process.exitValue(), Files.readString(out));
    }
  }

  record Result(int exitCode, String output) {}

  List<String> sites() {
    return List.copyOf(sites);
  }

  Path work() {
    return work;
  }

  Path caCertificate() {
    return work.resolve("ca/ca.crt");
  }

  String address(String site) {
    return "127.0.0.1:" + ports.get(sites.indexOf(site));
  }

  boolean alive(String site) {
    return processes.get(site).isAlive();
  }

  String log(String site) {
    try {
      return Files.readString(work.resolve(site).resolve("log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sites started with {@code fedmesh run}. */
  List<String> running() {
    return List.copyOf(processes.keySet());
  }

  /** Round -> hash, from the member's commit journal, in round order. */
  Map<Long, String> journal(String site) {
    Path file = work.resolve(site).resolve("checkpoints/commits.jsonl");
    Map<Long, String> rounds = new LinkedHashMap<>();
    try {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          Matcher m = JOURNAL_ROUND.matcher(line);
          if (m.find()) {
            rounds.put(Long.parseLong(m.group(1)), m.group(2));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rounds;
  }

  long committedRound(String site) {
    return journal(site).keySet().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /**
   * Waits until the journal of every member started with {@code run} holds {@code round}, polling the journals (they are files another process
   * writes: there is no event to wait on); false on timeout or when a member process ended.
   */
  boolean awaitRound(long round, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (running().stream().allMatch(s -> committedRound(s) >= round)) {
        return true;
      }
      if (running().stream().anyMatch(s -> !alive(s))) {
        return false;
      }
      Thread.sleep(200);
    }
    return false;
  }

  /** {@code fedmesh audit} of the member's journal against the CA: exit code and output. */
  Result audit(String site) throws IOException, InterruptedException {
    List<String> command = List.of(java(), "-jar", jar.toString(), "audit", "--ca", caCertificate().toString(),
        "--members", String.valueOf(sites.size()), work.resolve(site).resolve("checkpoints").toString());
    Path out = Files.createTempFile(work, "audit-" + site, ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    builder.environment().put("FEDMESH_NO_RELAUNCH", "1");
    Process p = builder.start();
    p.waitFor(2, TimeUnit.MINUTES);
    return new Result(p.isAlive() ? -1 : p.exitValue(), Files.readString(out));
  }

  /**
   * Stops every member as an operator would (SIGTERM: coordinated shutdown, no write cut short), the stragglers
   * after 30 s with SIGKILL. Their journals are final from here on.
   */
  void stop() {
    helpers.forEach(Process::destroyForcibly);
    processes.values().forEach(Process::destroy);
    for (Process p : processes.values()) {
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
