package org.fedmesh.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.fedmesh.deploy.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code fedmesh privacy} through the real command line. Expected figures come from {@code python3
 * benchmarks/privacy_reference.py} (benchmarks/privacy_reference.log).
 */
class PrivacyCommandTest {
  private static final String[] MNIST = {"--noise", "1.1", "--sample-rate", String.valueOf(256.0 / 60000), "--steps",
      "14063", "--delta", "1e-5"};

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int fedmesh(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 1];
    all[0] = "privacy";
    System.arraycopy(args, 0, all, 1, args.length);
    return cl.execute(all);
  }

  @Test
  void json_publishedDpSgdSetting_headlineIsTheImprovedEpsilon_classicAlongside() throws Exception {
    String[] args = java.util.Arrays.copyOf(MNIST, MNIST.length + 1);
    args[MNIST.length] = "--json";
    assertEquals(0, fedmesh(args), err.toString());

    JsonNode report = new ObjectMapper().readTree(out.toString());
    double epsilon = report.get("epsilon").asDouble();
    assertTrue(epsilon >= 2.0 && epsilon <= 3.16, "headline epsilon " + epsilon);
    assertAtOrJustAbove(2.5970795196566332, epsilon);
    assertEquals("improved", report.get("conversion").asText());
    assertEquals(8, report.get("order").asDouble());
    assertAtOrJustAbove(3.0092111729975723, report.get("epsilon_classic").asDouble());
    assertEquals(9, report.get("order_classic").asDouble());
    assertEquals(1e-5, report.get("delta").asDouble());
    assertEquals(1.1, report.get("noise_multiplier").asDouble());
    assertEquals(256.0 / 60000, report.get("sample_rate").asDouble());
    assertEquals(14063, report.get("steps").asLong());
  }

  @Test
  void text_publishedDpSgdSetting_namesBothConversionsAndTheHeadline() {
    assertEquals(0, fedmesh(MNIST), err.toString());
    String text = out.toString();
    // Rounded up, not to nearest: 2.59708 is printed 2.598 and 3.00921 is printed 3.01.
    assertTrue(text.contains("epsilon = 2.598 at Renyi order 8  (improved conversion; the figure fedmesh uses)"), text);
    assertTrue(text.contains("epsilon = 3.01 at Renyi order 9  (classic conversion"), text);
    assertTrue(text.contains("is (2.598, 0.00001)-differentially private"), text);
  }

  @Test
  void json_memberLevel_isTheExactGaussianComposition() throws Exception {
    assertEquals(0, fedmesh("--noise", "1.0", "--rounds", "20", "--delta", "1e-5", "--json"), err.toString());
    JsonNode report = new ObjectMapper().readTree(out.toString());
    assertEquals("member", report.get("level").asText());
    assertEquals("exact-gaussian", report.get("conversion").asText());
    double epsilon = report.get("epsilon").asDouble();
    assertTrue(epsilon >= 28.373473803257382 && epsilon - 28.373473803257382 < 1e-8, "epsilon " + epsilon);
    assertTrue(report.get("order").isNull());
  }

  @Test
  void sampleRateAboveOne_exitsWithAnErrorNamingIt() {
    assertEquals(1, fedmesh("--noise", "1.1", "--sample-rate", "1.5", "--steps", "100", "--delta", "1e-5"));
    assertTrue(err.toString().contains("sample rate must be in (0, 1], got 1.5"), err.toString());
    assertEquals("", out.toString());
  }

  @Test
  void sampleRateWithoutSteps_isAUsageError() {
    assertEquals(2, fedmesh("--noise", "1.1", "--sample-rate", "0.01", "--delta", "1e-5"));
    assertTrue(err.toString().contains("--steps"), err.toString());
  }

  private static void assertAtOrJustAbove(double reference, double epsilon) {
    assertTrue(epsilon >= reference && epsilon - reference < 1e-7 * reference,
        epsilon + " against the reference " + reference);
  }
}
