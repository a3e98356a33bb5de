package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fedmesh.deploy.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fedmesh run}: a site configuration is checked as a whole, and nothing starts while it has problems. */
class RunCommandTest {
  @TempDir
  Path dir;

  @Test
  void run_configWithSeveralProblems_reportsThemAllAndStartsNothing() throws Exception {
    Path site = dir.resolve("site.conf");
    Files.writeString(site, """
        fedmesh {
          node-id = "site a"
          port = 99999
          model.spec = "perceptron"
          data.path = "%s/missing.csv"
          identity { key = "%s/node.key", certificate = "", ca = "" }
        }
        """.formatted(dir, dir));
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute("run", "--config", site.toString());
    String message = err.toString();
    assertEquals(1, exit, message);
    for (String problem : new String[] {"fedmesh.node-id", "fedmesh.port", "fedmesh.model.spec",
        "fedmesh.identity.key", "fedmesh.identity.certificate", "fedmesh.identity.ca", "fedmesh.data.path",
        "fedmesh.checkpoint-dir"}) {
      assertTrue(message.contains(problem), problem + " is reported in:\n" + message);
    }
  }

  @Test
  void run_missingConfigFile_isAClearError() {
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err));
    assertEquals(1, cl.execute("run", "--config", dir.resolve("nope.conf").toString()));
    assertTrue(err.toString().contains("cannot read the configuration file"), err.toString());
  }
}
