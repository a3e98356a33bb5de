package org.fedmesh.node.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.fedmesh.mpc.CommitCertificate;
import org.fedmesh.mpc.CommitVerificationException;
import org.fedmesh.mpc.RoundResult;
import org.fedmesh.node.round.ModelState;

/**
 * Verifies a member's whole history offline, from its checkpoint directory and the consortium CA alone: every
 * journal entry's commit certificate verifies against the CA (at the time the entry was written) and is signed by a
 * majority, rounds increase, every commit chains from the model of the entry before it, and the checkpoint holds the
 * last entry's model. It stops at the first broken entry and names it.
 */
public final class JournalAudit {
  private JournalAudit() {}

  /**
   * One entry as the audit saw it; {@code signers} is empty when its certificate could not be read, and
   * {@code attesters} names the participants lost after they attested, whose attestations stand in their place.
   */
  public record Row(int line, long round, String hash, String source, List<String> signers, List<String> attesters) {}

  /**
   * The entries that hold, in order; {@code failure} names the first broken entry and why (empty when all hold);
   * {@code consortiumMembers} is the count majorities were checked against and {@code membersFrom} where it came
   * from.
   */
  public record Report(List<Row> rows, Optional<String> failure, int consortiumMembers, String membersFrom) {
    public boolean passed() {
      return failure.isEmpty();
    }
  }

  private static final class Broken extends Exception {
    Broken(String message) {
      super(message);
    }
  }

  /**
   * Audits {@code checkpointDir} against {@code ca}. {@code members}, the consortium's size, defaults to the number
   * of distinct signers in the journal: every signer is a member, so a majority of them is the least a certificate
   * must have.
   */
  public static Report audit(Path checkpointDir, X509Certificate ca, OptionalInt members) {
    CheckpointStore store = new CheckpointStore(checkpointDir);
    List<Row> rows = new ArrayList<>();
    int size = 0;
    String from = members.isPresent() ? "as given" : "the distinct signers in the journal";
    try {
      List<CommitJournal.Entry> entries = store.commits().read();
      if (entries.isEmpty()) {
        throw new Broken(store.journal() + " has no entries: nothing to audit");
      }
      size = members.isPresent() ? members.getAsInt() : distinctSigners(entries);
      CommitJournal.Entry previous = null;
      for (CommitJournal.Entry entry : entries) {
        CommitCertificate certificate = check(entry, previous, ca, size);
        rows.add(new Row(entry.line(), entry.round(), entry.hash(), entry.source(), certificate.signers(),
            certificate.attesters()));
        previous = entry;
      }
      checkCheckpoint(store, previous);
      return new Report(rows, Optional.empty(), size, from);
    } catch (Broken | IOException e) {
      return new Report(rows, Optional.of(e.getMessage()), size, from);
    }
  }

  private static CommitCertificate check(CommitJournal.Entry entry, CommitJournal.Entry previous, X509Certificate ca,
                                         int members) throws Broken {
    String where = "line " + entry.line() + " (round " + entry.round() + ")";
    if (entry.certificate() == null) {
      throw new Broken(where + " carries no commit certificate");
    }
    CommitCertificate certificate;
    try {
      certificate = CommitCertificate.decode(entry.certificate());
      certificate.verify(ca, Instant.ofEpochMilli(entry.atMs()), members);
    } catch (IllegalArgumentException e) {
      throw new Broken(where + ": its certificate is malformed: " + e.getMessage());
    } catch (CommitVerificationException e) {
      throw new Broken(where + ": its certificate does not verify: " + e.getMessage());
    }
    RoundResult result = certificate.result();
    if (result.round() != entry.round() || !result.newHash().equals(entry.hash())) {
      throw new Broken(where + ": its certificate is for round " + result.round() + " (" + abbreviate(result.newHash())
          + "), the entry says " + abbreviate(entry.hash()));
    }
    if (previous != null && entry.round() <= previous.round()) {
      throw new Broken(where + ": rounds must increase, and line " + previous.line() + " holds round "
          + previous.round());
    }
    switch (entry.source()) {
      case "commit" -> {
        if (previous == null && entry.round() != 1) {
          throw new Broken(where + ": a commit of round " + entry.round() + " opens the journal; the entries before"
              + " it are missing");
        }
        if (previous != null && (entry.round() != previous.round() + 1
            || !result.previousHash().equals(previous.hash()))) {
          throw new Broken(where + ": the commit does not chain: it starts from round " + (result.round() - 1) + " ("
              + abbreviate(result.previousHash()) + "), line " + previous.line() + " holds round " + previous.round()
              + " (" + abbreviate(previous.hash()) + ")");
        }
      }
      case "catch_up" -> { } // may skip rounds: a majority-signed certificate is its whole guarantee
      default -> throw new Broken(where + ": unknown source '" + entry.source() + "'");
    }
    return certificate;
  }

  private static void checkCheckpoint(CheckpointStore store, CommitJournal.Entry last) throws Broken {
    Optional<ModelState> held;
    try {
      held = store.load();
    } catch (IOException e) {
      throw new Broken("the checkpoint cannot be read: " + e.getMessage());
    }
    if (held.isEmpty()) {
      throw new Broken("there is no checkpoint " + store.file());
    }
    if (held.get().round() != last.round() || !held.get().hash().equals(last.hash())) {
      throw new Broken("the checkpoint holds round " + held.get().round() + " (" + held.get().shortHash()
          + "), but the last entry, line " + last.line() + ", round " + last.round() + " ("
          + abbreviate(last.hash()) + ")");
    }
  }

  private static int distinctSigners(List<CommitJournal.Entry> entries) {
    Set<String> signers = new TreeSet<>();
    for (CommitJournal.Entry e : entries) {
      try {
        if (e.certificate() != null) {
          signers.addAll(CommitCertificate.decode(e.certificate()).signers());
        }
      } catch (IllegalArgumentException malformed) {
        // reported when the entry is checked
      }
    }
    return Math.max(1, signers.size());
  }

  public static String abbreviate(String hash) {
    return hash.substring(0, Math.min(12, hash.length()));
  }
}
