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
import org.junit.jupiter.api.Test;

/**
 * The outsider attacks of the issue "No trusted party, for real", each from a process of its own ({@link Adversary})
 * against four {@code fedmesh run --config} processes: without TLS, with TLS and no certificate, and with a
 * certificate of a foreign CA, the attacker joins through a member, asks for its status and model, sends a forged
 * CatchUp and downs the member. None of it may reach the member: no reply, no join, no fetch, nobody downed, and the
 * consortium trains on with journals that agree and pass {@code fedmesh audit}.
 */
class OutsiderAttacksIT {

  @Test
  void outsiders_withoutAValidCertificate_reachNoActorAndTheConsortiumTrainsOn() throws Exception {
    Path work = Path.of(System.getProperty("user.dir")).resolve("target/outsider-attacks-it");
    try (RunConsortium consortium = RunConsortium.start(work, 4)) {
      assertTrue(consortium.awaitRound(2, Duration.ofMinutes(3)), "the consortium trains: " + rounds(consortium));
      String victim = consortium.sites().get(0);

      // The three attackers at once, each a process of its own.
      Map<String, RunConsortium.Started> attackers = new LinkedHashMap<>();
      for (String kind : List.of("plain-tcp", "tls-no-certificate", "foreign-ca")) {
        attackers.put(kind, consortium.startJava(Adversary.class.getName(), kind, consortium.address(victim),
            work.toString()));
      }
      for (Map.Entry<String, RunConsortium.Started> attacker : attackers.entrySet()) {
        String kind = attacker.getKey();
        RunConsortium.Result attack = attacker.getValue().await(Duration.ofMinutes(2));
        JsonNode r = report(attack);
        assertFalse(r.get("joined").asBoolean(), kind + " joined: " + attack.output());
        assertEquals(0, r.get("status_replies").asInt(), kind + " got a status: " + attack.output());
        assertEquals(0, r.get("model_parts").asInt(), kind + " got the model: " + attack.output());
        assertEquals(0, r.get("fetches_from_victim").asInt(), kind + " made the victim fetch: " + attack.output());
      }

      long after = consortium.sites().stream().mapToLong(consortium::committedRound).max().orElse(0);
      assertTrue(consortium.awaitRound(after + 3, Duration.ofMinutes(3)),
          "the consortium trains on after the attacks: " + rounds(consortium));
      for (String site : consortium.sites()) {
        assertTrue(consortium.alive(site), site + " is still running");
      }
      assertTrue(consortium.log(victim).contains("Refused TLS peer"), "the victim logged why it refused");
      consortium.stop();
      // One model per round everywhere, and each journal passes the offline audit.
      Map<Long, String> agreed = new HashMap<>();
      for (String site : consortium.sites()) {
        consortium.journal(site).forEach((round, hash) -> {
          String other = agreed.putIfAbsent(round, hash);
          assertTrue(other == null || other.equals(hash), "round " + round + " has two models");
        });
        RunConsortium.Result audit = consortium.audit(site);
        assertEquals(0, audit.exitCode(), site + ": " + audit.output());
      }
    }
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
