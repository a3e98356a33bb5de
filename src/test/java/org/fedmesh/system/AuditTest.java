package org.fedmesh.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.fedmesh.deploy.demo.DemoData;
import org.fedmesh.deploy.demo.EmbeddedConsortium;
import org.fedmesh.deploy.demo.EmbeddedConsortium.MemberSpec;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.mpc.SignedRoundResult;
import org.fedmesh.mpc.pki.ConsortiumCa;
import org.fedmesh.node.data.Dataset;
import org.fedmesh.node.data.Partitioner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fedmesh audit} on the journals of a real run (three cluster members, four rounds): each passes as written,
 * and each kind of tampering — one hash, one signature byte, one deleted line, another CA — fails naming the entry.
 */
class AuditTest {
  private static final int ROUNDS = 4;

  @TempDir
  static Path run;
  @TempDir
  Path copy;

  private static Path caPem;

  @BeforeAll
  static void trainFourRounds() throws Exception {
    DemoData data = DemoData.load("breast-cancer", 1);
    List<Dataset> parts = Partitioner.iid(data.data().train(), 3, 1);
    List<MemberSpec> specs = new ArrayList<>();
    for (MemberSpec spec : EmbeddedConsortium.plan(parts, 2, ConfigFactory.parseMap(Map.of(
        "fedmesh.rounds", ROUNDS, "fedmesh.model.spec", "logistic", "fedmesh.coordinator.min-participants", 3)))) {
      specs.add(spec.with("fedmesh.checkpoint-dir", run.resolve(spec.nodeId()).toString()));
    }
    try (EmbeddedConsortium consortium = EmbeddedConsortium.start(specs, (node, model, loss) -> { })) {
      assertTrue(consortium.awaitRound(ROUNDS, Duration.ofMinutes(3)), "trained " + ROUNDS + " rounds");
      caPem = Audits.writePem(consortium.caCertificate(), run.resolve("ca/ca.crt"));
    }
  }

  @Test
  void audit_journalsOfARealRun_passAndPrintTheHistory() {
    for (String member : List.of("node-1", "node-2", "node-3")) {
      Audits.Outcome o = Audits.audit(run.resolve(member).toString(), "--ca", caPem.toString());
      assertEquals(0, o.exit(), o.out() + o.err());
      for (int round = 1; round <= ROUNDS; round++) {
        assertTrue(o.out().contains(String.format("%6d  ", round)), "round " + round + " listed:\n" + o.out());
      }
      assertTrue(o.out().contains("commit    node-1, node-2, node-3"), o.out());
      assertTrue(o.out().contains("majority of 3 members"), o.out());
      assertTrue(o.out().contains("OK: " + ROUNDS + " entries"), o.out());
    }
  }

  @Test
  void audit_oneHashAltered_failsNamingTheEntry() throws Exception {
    List<String> lines = journalCopy();
    String line = lines.get(1);
    String hash = line.replaceAll(".*\"hash\":\"([0-9a-f]+)\".*", "$1");
    char last = hash.charAt(hash.length() - 1);
    lines.set(1, line.replace(hash, hash.substring(0, hash.length() - 1) + (last == '0' ? '1' : '0')));
    assertBroken(lines, "line 2 (round 2): its certificate is for round 2");
  }

  @Test
  void audit_oneSignatureByteFlipped_failsNamingTheEntryAndTheSigner() throws Exception {
    List<String> lines = journalCopy();
    String line = lines.get(2);
    String encoded = line.replaceAll(".*\"certificate\":\"([^\"]+)\".*", "$1");
    CommitCertificate certificate = CommitCertificate.decode(Base64.getDecoder().decode(encoded));
    List<SignedRoundResult> signatures = new ArrayList<>(certificate.signatures());
    SignedRoundResult first = signatures.get(0);
    byte[] signature = first.signature();
    signature[7] ^= 1;
    signatures.set(0, new SignedRoundResult(first.result(), first.nodeId(), signature, first.certificateDer()));
    lines.set(2, line.replace(encoded, Base64.getEncoder().encodeToString(
        new CommitCertificate(certificate.result(), signatures).encode())));
    assertBroken(lines, "line 3 (round 3): its certificate does not verify: signature of node '" + first.nodeId()
        + "' refused: bad signature");
  }

  @Test
  void audit_aLineDeleted_failsNamingTheEntryThatNoLongerChains() throws Exception {
    List<String> lines = journalCopy();
    lines.remove(1); // round 2: round 3 is now on line 2, after round 1
    assertBroken(lines, "line 2 (round 3): the commit does not chain");
  }

  @Test
  void audit_theLastLineDeleted_failsOnTheCheckpoint() throws Exception {
    List<String> lines = journalCopy();
    lines.remove(lines.size() - 1);
    assertBroken(lines, "the checkpoint holds round " + ROUNDS);
  }

  @Test
  void audit_againstAnotherConsortiumsCa_failsOnTheFirstEntry() throws Exception {
    Path other = Audits.writePem(ConsortiumCa.create("other", Duration.ofDays(1)).certificate(),
        copy.resolve("other/ca.crt"));
    Audits.Outcome o = Audits.audit(run.resolve("node-2").toString(), "--ca", other.toString());
    assertEquals(1, o.exit(), o.out() + o.err());
    assertTrue(o.err().contains("line 1 (round 1)") && o.err().contains("not from this consortium's CA"), o.err());
  }

  @Test
  void audit_help_describesTheCommand() {
    Audits.Outcome o = Audits.audit("--help");
    assertEquals(0, o.exit());
    assertTrue(o.out().contains("CHECKPOINT_DIR") && o.out().contains("--ca"), o.out());
  }

  /** node-1's checkpoint directory copied to {@link #copy}; returns its journal's lines to tamper with. */
  private List<String> journalCopy() throws Exception {
    try (Stream<Path> files = Files.list(run.resolve("node-1"))) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(copy.resolve("commits.jsonl")));
    assertEquals(ROUNDS, lines.size(), "one line per round");
    return lines;
  }

  private void assertBroken(List<String> tampered, String expected) throws Exception {
    Files.write(copy.resolve("commits.jsonl"), tampered);
    Audits.Outcome o = Audits.audit(copy.toString(), "--ca", caPem.toString());
    assertEquals(1, o.exit(), o.out() + o.err());
    assertTrue(o.err().contains("BROKEN: " + expected), "expected '" + expected + "' in:\n" + o.err());
  }
}
