package org.fedmesh.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fedmesh.deploy.operations.OperationsSettings;
import org.fedmesh.node.FedmeshNode;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fedmesh status --port P}: a running member's {@code /status}, as a table for a person or as JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Print a running member's status from its operations endpoint (fedmesh.operations).",
        "Exit code: 0 the member answered and is ready, 1 no answer, 3 it answered but is not ready."})
public final class StatusCommand implements Callable<Integer> {
  static final int EXIT_NOT_READY = 3;

  @Option(names = "--port", description = "The endpoint's port (fedmesh.operations.port).")
  Integer port;

  @Option(names = "--host", description = "The endpoint's address (default 127.0.0.1).")
  String host;

  @Option(names = "--config", description = "The member's site config: host and port from fedmesh.operations"
      + " (an ephemeral port from checkpoint-dir/" + OperationsSettings.PORT_FILE + ").")
  Path config;

  @Option(names = "--json", description = "Print the status document as the member serves it.")
  boolean json;

  @Option(names = "--timeout", defaultValue = "5s",
      description = "How long to wait for an answer (default ${DEFAULT-VALUE}).")
  String timeout;

  @Override
  public Integer call() throws Exception {
    Duration wait = Duration.parse("PT" + timeout.toUpperCase(Locale.ROOT));
    if (config != null) {
      fromConfig();
    }
    if (port == null) {
      throw new IllegalArgumentException("which member? give --port P (fedmesh.operations.port, or the port its log"
          + " names) or --config SITE.conf");
    }
    if (host == null) {
      host = "127.0.0.1";
    }
    URI uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/status");
    HttpClient client = HttpClient.newBuilder().connectTimeout(wait).build();
    HttpResponse<String> response;
    try {
      response = client.send(HttpRequest.newBuilder(uri).timeout(wait).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IOException("no member answers on " + uri + " (is it running, with fedmesh.operations on?)");
    } catch (java.net.http.HttpTimeoutException e) {
      throw new IOException("no answer from " + uri + " within " + wait.toSeconds() + " s");
    }
    if (response.statusCode() != 200) {
      throw new IOException(uri + " answered HTTP " + response.statusCode());
    }
    JsonNode status = new ObjectMapper().readTree(response.body());
    if (json) {
      System.out.print(response.body());
    } else {
      print(status, uri, System.out);
    }
    return status.path("ready").asBoolean() ? 0 : EXIT_NOT_READY;
  }

  /** Host and port from the site config, unless given; port 0 means the one the member wrote at start. */
  private void fromConfig() throws IOException {
    if (!Files.isReadable(config)) {
      throw new IllegalArgumentException("cannot read the configuration file " + config);
    }
    Config site = ConfigFactory.systemProperties().withFallback(ConfigFactory.parseFile(config.toFile()))
        .withFallback(FedmeshNode.defaults()).resolve();
    if (host == null) {
      host = site.getString(OperationsSettings.PATH + ".host");
    }
    if (port == null) {
      int configured = site.getInt(OperationsSettings.PATH + ".port");
      if (configured != 0) {
        port = configured;
      } else {
        Path file = Path.of(site.getString("fedmesh.checkpoint-dir")).resolve(OperationsSettings.PORT_FILE);
        if (!Files.isReadable(file)) {
          throw new IOException("the member's endpoint has an ephemeral port and " + file + " does not exist (is"
              + " the member running?)");
        }
        port = Integer.parseInt(Files.readString(file).strip());
      }
    }
  }

  static void print(JsonNode s, URI from, PrintStream out) {
    out.printf(Locale.ROOT, "Member %s (%s): %s%n", s.path("node_id").asText(), s.path("address").asText(),
        s.path("ready").asBoolean() ? "ready" : "NOT READY (see /health/ready)");
    String hash = s.path("last_committed_hash").asText();
    row(out, "round", s.path("round").asLong() + (hash.isEmpty() ? "" : "  (model " + abbreviate(hash)
        + (s.path("last_committed_at").isNull() ? "" : ", committed " + s.path("last_committed_at").asText())
        + ")"));
    String phase = s.path("phase").asText();
    row(out, "phase", phase + (phase.equals("waiting") ? "" : " round " + s.path("phase_round").asLong())
        + " for " + s.path("phase_seconds").asDouble() + " s");
    row(out, "participants", join(s.path("participants")));
    String metric = s.has("last_accuracy") ? "accuracy" : "mse";
    JsonNode value = s.path("last_" + metric);
    row(out, "held-out " + metric, value.isNull() || value.isMissingNode() ? "-"
        : String.format(Locale.ROOT, "%.4f (round %d)", value.asDouble(), s.path("last_evaluated_round").asLong()));
    JsonNode consortium = s.path("consortium_accuracy");
    row(out, "consortium accuracy", consortium.isNull() || consortium.isMissingNode() ? "-"
        : String.format(Locale.ROOT, "%.4f (model of round %d, every member's held-out rows, secure sum)",
            consortium.asDouble(), s.path("consortium_evaluated_round").asLong()));
    if (s.has("privacy")) {
      JsonNode dp = s.path("privacy");
      row(out, "privacy spent", String.format(Locale.ROOT, "epsilon %.4f at delta %s (%s level%s)",
          dp.path("epsilon_spent").asDouble(), dp.path("delta").asText(), dp.path("level").asText(),
          dp.path("epsilon_budget").isNull() ? "" : ", budget " + dp.path("epsilon_budget").asText()));
    }
    JsonNode loss = s.path("last_training_loss");
    row(out, "training loss", loss.isNull() || loss.isMissingNode() ? "-"
        : String.format(Locale.ROOT, "%.4f", loss.asDouble()));
    row(out, "coordinator", s.path("coordinator").isNull() ? "-" : s.path("coordinator").asText());
    row(out, "uptime", s.path("uptime_seconds").asDouble() + " s");
    out.println("Cluster members as " + s.path("node_id").asText() + " sees them:");
    out.printf(Locale.ROOT, "  %-16s %-36s %-9s %-10s %s%n", "node id", "address", "status", "reachable",
        "verified");
    for (JsonNode m : s.path("members")) {
      out.printf(Locale.ROOT, "  %-16s %-36s %-9s %-10s %s%n", m.path("node_id").asText(), m.path("address").asText(),
          m.path("status").asText(), m.path("reachable").asBoolean() ? "yes" : "NO",
          m.path("verified").asBoolean() ? "yes" : "no");
    }
  }

  private static void row(PrintStream out, String name, String value) {
    out.printf(Locale.ROOT, "  %-20s %s%n", name, value);
  }

  private static String join(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(n -> names.add(n.asText()));
    return names.isEmpty() ? "-" : String.join(", ", names);
  }

  private static String abbreviate(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) : hash;
  }
}
