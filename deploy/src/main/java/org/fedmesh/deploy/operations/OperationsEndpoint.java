package org.fedmesh.deploy.operations;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's read-only HTTP endpoint (the JDK's HttpServer): {@code /health/alive}, {@code /health/ready},
 * {@code /status} (JSON) and {@code /metrics} (Prometheus text format 0.0.4). Only GET and HEAD; nothing it serves
 * changes the member. It stops when the member's actor system terminates.
 */
public final class OperationsEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OperationsEndpoint.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService threads;

  private OperationsEndpoint(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  /** Binds {@code host:port} (0 = any free port) and serves until the actor system terminates. */
  static OperationsEndpoint start(String host, int port, ActorSystem<?> system, StatusReport status,
                                  Readiness readiness, PrometheusMeterRegistry registry) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
    // Two threads: a slow scrape must not hold up a health check; nothing here is heavy.
    ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "operations-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.createContext("/health/alive", get(() -> system.getWhenTerminated().toCompletableFuture().isDone()
        ? new Response(503, "application/json", json(Map.of("alive", false)))
        : new Response(200, "application/json", json(Map.of("alive", true)))));
    server.createContext("/health/ready", get(() -> {
      Map<String, Object> body = new LinkedHashMap<>();
      Map<String, Readiness.Check> checks = readiness.checks();
      boolean ready = checks.values().stream().allMatch(Readiness.Check::ok);
      body.put("ready", ready);
      body.put("checks", checks);
      return new Response(ready ? 200 : 503, "application/json", json(body));
    }));
    server.createContext("/status", get(() -> new Response(200, "application/json", json(status.build()))));
    server.createContext("/metrics", get(() -> new Response(200, PROMETHEUS_TEXT, registry.scrape())));
    server.createContext("/", get(() -> new Response(404, "text/plain; charset=utf-8",
        "not found; try /status, /metrics, /health/alive, /health/ready\n")));
    server.start();
    OperationsEndpoint endpoint = new OperationsEndpoint(server, threads);
    system.getWhenTerminated().thenRun(endpoint::close);
    return endpoint;
  }

  /** The port actually bound (the configured one, or the one chosen for port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  public String host() {
    return server.getAddress().getHostString();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private record Response(int status, String contentType, String body) {}

  private static HttpHandler get(Supplier<Response> handler) {
    return exchange -> {
      try (exchange) {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          send(exchange, new Response(405, "text/plain; charset=utf-8", "read-only: GET or HEAD\n"), false);
          return;
        }
        Response response;
        try {
          response = handler.get();
        } catch (RuntimeException e) {
          log.warn("Operations endpoint: {} failed", exchange.getRequestURI(), e);
          response = new Response(500, "text/plain; charset=utf-8", "internal error: " + e + "\n");
        }
        send(exchange, response, method.equals("HEAD"));
      }
    };
  }

  private static void send(HttpExchange exchange, Response response, boolean headOnly) throws IOException {
    byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", response.contentType());
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(response.status(), headOnly ? -1 : body.length);
    if (!headOnly) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
