package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The attacks of the issue "No trusted party, for real", each from a process of its own, against four
 * {@code fedmesh run --config} members. Outsiders ({@link Adversary}: without TLS, with TLS and no certificate, with
 * a foreign CA's certificate) join through a member, ask for its status and model, send a forged CatchUp and down
 * the member: none of it reaches an actor. A fifth, certified member ({@link CertifiedAdversary}) sends a CatchUp
 * sealed by itself as if it were the coordinator, stays silent in the first round it is in and sums garbage two
 * rounds after it is readmitted: the members refuse the CatchUp naming it, name it for the silence and leave it out, pause on the garbage
 * without blaming anyone, and train on once an operator revokes its certificate. Every honest journal agrees and
 * passes {@code fedmesh audit}.
 */
class AttacksIT {
  private static final String ADVERSARY = "site-5";
  private static final Pattern ACCUSED = Pattern.compile("(site-\\d) sent (none|only|its successor)");

  @Test
  void outsidersAndACertifiedMember_areRefusedOrNamed_andTheHonestMembersTrainOn() throws Exception {
    Path work = Path.of(System.getProperty("user.dir")).resolve("target/attacks-it");
    try (RunConsortium consortium = RunConsortium.start(work, 5, 4)) {
      consortium.startJava(CertifiedAdversary.class.getName(), consortium.siteConfig(ADVERSARY).toString(), "2");
      assertTrue(consortium.awaitRound(2, Duration.ofMinutes(3)), "the consortium trains: " + rounds(consortium));
      String victim = consortium.running().get(1);

      // Outsiders, each a process of its own, all at once.
      Map<String, RunConsortium.Started> outsiders = new LinkedHashMap<>();
      for (String kind : List.of("plain-tcp", "tls-no-certificate", "foreign-ca")) {
        outsiders.put(kind, consortium.startJava(Adversary.class.getName(), kind, consortium.address(victim),
            work.toString()));
      }
      for (Map.Entry<String, RunConsortium.Started> outsider : outsiders.entrySet()) {
        String kind = outsider.getKey();
        RunConsortium.Result attack = outsider.getValue().await(Duration.ofMinutes(2));
        JsonNode r = report(attack);
        assertFalse(r.get("joined").asBoolean(), kind + " joined: " + attack.output());
        assertEquals(0, r.get("status_replies").asInt(), kind + " got a status: " + attack.output());
        assertEquals(0, r.get("model_parts").asInt(), kind + " got the model: " + attack.output());
        assertEquals(0, r.get("fetches_from_victim").asInt(), kind + " made the victim fetch: " + attack.output());
      }
      assertTrue(consortium.log(victim).contains("Refused TLS peer"), "the victim logged why it refused");

      // The certified adversary: its sealed CatchUp refused naming it, its silence named, its garbage a pause.
      awaitLine(consortium, l -> l.contains("Refused CatchUp") && l.contains(ADVERSARY), "the sealed CatchUp refused");
      awaitLine(consortium, l -> l.contains(ADVERSARY + " sent none of its own pieces"), "the silent member named");
      String pause = awaitLine(consortium, l -> l.contains("Training paused at round"), "the garbage pause");
      assertTrue(pause.contains(ADVERSARY), pause);
      long pausedAt = consortium.running().stream().mapToLong(consortium::committedRound).max().orElse(0);

      consortium.revoke(ADVERSARY);
      assertTrue(consortium.awaitRound(pausedAt + 3, Duration.ofMinutes(3)),
          "training goes on without the revoked member: " + rounds(consortium));
      for (String site : consortium.running()) {
        assertTrue(consortium.alive(site), site + " is still running");
        Matcher accused = ACCUSED.matcher(consortium.log(site));
        while (accused.find()) {
          assertEquals(ADVERSARY, accused.group(1), site + " blamed an honest member: " + accused.group());
        }
      }

      consortium.stop();
      Map<Long, String> agreed = new HashMap<>();
      for (String site : consortium.running()) {
        consortium.journal(site).forEach((round, hash) -> {
          String other = agreed.putIfAbsent(round, hash);
          assertTrue(other == null || other.equals(hash), "round " + round + " has two models");
        });
        RunConsortium.Result audit = consortium.audit(site);
        assertEquals(0, audit.exitCode(), site + ": " + audit.output());
      }
    }
  }

  /**
   * The first line of a running member's log that matches, polling the logs (files of other processes: there is
   * no event to wait on) for at most three minutes.
   */
  private static String awaitLine(RunConsortium consortium, Predicate<String> line, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      for (String site : consortium.running()) {
        Optional<String> found = consortium.log(site).lines().filter(line).findFirst();
        if (found.isPresent()) {
          return found.get();
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no member logged " + what + " within 3 minutes: " + rounds(consortium));
  }

  private static JsonNode report(RunConsortium.Result attack) throws Exception {
    String line = attack.output().lines().filter(l -> l.startsWith("ADVERSARY ")).findFirst()
        .orElseThrow(() -> new AssertionError("the adversary printed no report:\n" + attack.output()));
    return new ObjectMapper().readTree(line.substring("ADVERSARY ".length()));
  }

  private static Map<String, Long> rounds(RunConsortium consortium) {
    Map<String, Long> rounds = new HashMap<>();
    consortium.sites().forEach(s -> rounds.put(s, consortium.committedRound(s)));
    return rounds;
  }
}
