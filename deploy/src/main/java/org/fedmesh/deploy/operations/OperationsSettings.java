package org.fedmesh.deploy.operations;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fedmesh.operations}: where the member's read-only HTTP endpoint listens. On by default, on the loopback
 * address only, at any free port (port 0, the default: several members may share a machine, as tests and the chaos
 * scripts do); the bound port is logged and written to {@link #PORT_FILE} in the checkpoint directory. A site sets a
 * fixed port (the examples use 8558, Pekko Management's) for Prometheus. Off with {@code enabled = off}.
 */
public record OperationsSettings(boolean enabled, String host, int port) {
  public static final String PATH = "fedmesh.operations";
  /** In the checkpoint directory: the port the endpoint bound, for {@code fedmesh status --config}. */
  public static final String PORT_FILE = "operations.port";

  /** Reads the settings; problems are added to {@code problems} (reported with every other configuration problem). */
  public static OperationsSettings fromConfig(Config root, List<String> problems) {
    if (!root.hasPath(PATH)) {
      return new OperationsSettings(false, "127.0.0.1", 0);
    }
    Config c = root.getConfig(PATH);
    List<String> mine = new ArrayList<>();
    boolean enabled = false;
    String host = "127.0.0.1";
    int port = 0;
    try {
      enabled = c.getBoolean("enabled");
    } catch (RuntimeException e) {
      mine.add(PATH + ".enabled: " + e.getMessage());
    }
    try {
      host = c.getString("host");
      if (host.isBlank()) {
        mine.add(PATH + ".host: empty (use 127.0.0.1 for this machine only)");
      }
    } catch (RuntimeException e) {
      mine.add(PATH + ".host: " + e.getMessage());
    }
    try {
      port = c.getInt("port");
      if (port < 0 || port > 65535) {
        mine.add(PATH + ".port: " + port + " is not a TCP port (0 = any free port)");
      }
    } catch (RuntimeException e) {
      mine.add(PATH + ".port: " + e.getMessage());
    }
    problems.addAll(mine);
    return new OperationsSettings(enabled, host, port);
  }
}
