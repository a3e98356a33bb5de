package org.fedmesh.deploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fedmesh.node.privacy.DpGuarantee;
import org.fedmesh.node.privacy.PrivacyAccountant;
import org.fedmesh.node.privacy.RdpConversion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fedmesh privacy}: the (ε, δ) a training plan spends, before anyone trains. Record level is what a member's
 * DP-SGD gives each record of its own data; member level is what Gaussian noise on each member's whole update gives
 * each member's data as a whole.
 */
@Command(name = "privacy", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compute the differential-privacy guarantee of a training plan.",
        "Record level (--sample-rate and --steps): DP-SGD with Poisson sampling, accounted in Renyi DP. Prints epsilon"
            + " with the improved RDP-to-DP conversion (Balle et al. 2020), the headline and the figure fedmesh's"
            + " accountant uses, and with the classic one (Mironov 2017), the figure older tools print.",
        "Member level (--rounds): Gaussian noise on each member's whole update every round, every member taking"
            + " part; composed exactly as Gaussian DP."})
public final class PrivacyCommand implements Callable<Integer> {
  @Option(names = "--noise", required = true, paramLabel = "Z",
      description = "Noise multiplier: the noise's standard deviation over the clipping norm.")
  double noise;

  @Option(names = "--sample-rate", paramLabel = "Q",
      description = "Record level: probability that a record is in a step's batch (batch size / records).")
  Double sampleRate;

  @Option(names = "--steps", paramLabel = "T", description = "Record level: number of DP-SGD steps.")
  Long steps;

  @Option(names = "--rounds", paramLabel = "R", description = "Member level: number of rounds.")
  Long rounds;

  @Option(names = "--delta", required = true, paramLabel = "D",
      description = "Target delta; take it well below 1 / the number of records (or members) protected.")
  double delta;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    boolean recordLevel = sampleRate != null || steps != null;
    if (recordLevel && rounds != null) {
      throw usage("give either --sample-rate and --steps (record level) or --rounds (member level), not both");
    }
    if (recordLevel && (sampleRate == null || steps == null)) {
      throw usage("record level needs both --sample-rate and --steps");
    }
    if (!recordLevel && rounds == null) {
      throw usage("give --sample-rate and --steps (record level) or --rounds (member level)");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (recordLevel) {
      DpGuarantee headline = PrivacyAccountant.recordLevel(noise, sampleRate, steps, delta);
      DpGuarantee classic = PrivacyAccountant.recordLevel(noise, sampleRate, steps, delta, RdpConversion.CLASSIC);
      if (json) {
        out.println(new ObjectMapper().writeValueAsString(recordReport(headline, classic)));
      } else {
        printRecordLevel(out, headline, classic);
      }
    } else {
      DpGuarantee guarantee = PrivacyAccountant.memberLevel(noise, rounds, delta);
      if (json) {
        out.println(new ObjectMapper().writeValueAsString(memberReport(guarantee)));
      } else {
        printMemberLevel(out, guarantee);
      }
    }
    out.flush();
    return 0;
  }

  private void printRecordLevel(PrintWriter out, DpGuarantee headline, DpGuarantee classic) {
    out.printf("DP-SGD with Poisson sampling rate %s, noise multiplier %s, %d steps, delta %s:%n", number(sampleRate),
        number(noise), steps, number(delta));
    out.printf("  epsilon = %s at Renyi order %s  (improved conversion; the figure fedmesh uses)%n",
        roundedUp(headline.epsilon()), number(headline.order()));
    out.printf("  epsilon = %s at Renyi order %s  (classic conversion, as older tools print it)%n",
        roundedUp(classic.epsilon()), number(classic.order()));
    out.printf("Each record of a member's data is (%s, %s)-differentially private.%n", roundedUp(headline.epsilon()),
        number(delta));
    double[] orders = PrivacyAccountant.orders();
    if (headline.order() == orders[0] || headline.order() == orders[orders.length - 1]) {
      out.printf("Note: order %s is at the edge of the orders tried (%s to %s); others could only give a smaller"
          + " epsilon.%n", number(headline.order()), number(orders[0]), number(orders[orders.length - 1]));
    }
  }

  private Map<String, Object> recordReport(DpGuarantee headline, DpGuarantee classic) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("level", "record");
    report.put("epsilon", headline.epsilon());
    report.put("delta", delta);
    report.put("order", nullIfNaN(headline.order()));
    report.put("conversion", headline.method());
    report.put("noise_multiplier", noise);
    report.put("sample_rate", sampleRate);
    report.put("steps", steps);
    report.put("epsilon_classic", classic.epsilon());
    report.put("order_classic", nullIfNaN(classic.order()));
    return report;
  }

  private void printMemberLevel(PrintWriter out, DpGuarantee guarantee) {
    out.printf("Gaussian noise multiplier %s on each member's update, %d rounds, every member in each, delta %s:%n",
        number(noise), rounds, number(delta));
    out.printf("  epsilon = %s  (exact: the rounds compose to mu-GDP with mu = sqrt(%d) / %s = %.4f)%n",
        roundedUp(guarantee.epsilon()), rounds, number(noise), mu());
    out.printf("Each member's data as a whole is (%s, %s)-differentially private.%n", roundedUp(guarantee.epsilon()),
        number(delta));
  }

  private Map<String, Object> memberReport(DpGuarantee guarantee) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("level", "member");
    report.put("epsilon", guarantee.epsilon());
    report.put("delta", delta);
    report.put("order", null);
    report.put("conversion", guarantee.method());
    report.put("noise_multiplier", noise);
    report.put("rounds", rounds);
    report.put("mu", mu());
    return report;
  }

  private double mu() {
    return Math.sqrt((double) rounds) / noise;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** Four significant digits, rounded up: a printed guarantee must hold as printed (2.5971 shows as 2.598). */
  private static String roundedUp(double epsilon) {
    if (epsilon == 0 || !Double.isFinite(epsilon)) {
      return Double.toString(epsilon);
    }
    return new BigDecimal(epsilon).round(new MathContext(4, RoundingMode.CEILING)).stripTrailingZeros()
        .toPlainString();
  }

  /** A number as a person would write it: 8, not 8.0; 1e-05 as 0.00001. */
  private static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static Double nullIfNaN(double value) {
    return Double.isNaN(value) ? null : value;
  }
}
