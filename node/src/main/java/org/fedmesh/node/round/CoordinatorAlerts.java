package org.fedmesh.node.round;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.fedmesh.node.round.NextStep.BringUpToDate;
import org.fedmesh.node.round.NextStep.Findings;
import org.fedmesh.node.round.NextStep.PauseUndecodable;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.slf4j.Logger;

/**
 * What the {@link RoundCoordinator} tells operators and members outside its phases: the lines an operator's alerts
 * key on, and the messages that bring members up to date. Kept apart so that the coordinator's class shows its
 * states and little else.
 */
final class CoordinatorAlerts {
  private CoordinatorAlerts() {}

  static void findings(Logger log, Findings findings) {
    if (!findings.disagreeingHashes().isEmpty()) {
      log.error("Members disagree on the model of round {}: {}", findings.latestRound(),
          findings.disagreeingHashes());
    }
    if (findings.conflictingResults()) {
      log.warn("Members hold different results for round {}; starting it again", findings.latestRound() + 1);
    }
  }

  /** Nobody is named: every member holds the same sum, and whose values broke it cannot be seen. */
  static void undecodable(Logger log, AttemptRun.SumUndecodable m) {
    log.warn("The sum of {} did not decode (reported by {}: {}); one of {} sent values that are not a masked update;"
        + " retrying with fresh masks", m.attempt(), m.reportedBy(), m.reason(), m.participants());
  }

  static void garbagePause(Logger log, PauseUndecodable u, Duration backoff) {
    log.error("Training paused at round {}: {} attempts in a row summed to values that do not decode. One of the"
        + " participants {} sends values that are not a masked update, and no member can tell which without seeing"
        + " the others' updates. Find it (its operator, its logs, its data pipeline) and revoke its certificate with"
        + " `fedmesh ca revoke <node-id>`; training tries again when the membership changes, or after {}", u.round(),
        u.attempts(), u.participants().stream().sorted().toList(), backoff);
  }

  /** Sends the commits members missed and the catch-ups of members behind, each sealed by this coordinator. */
  static void bringUpToDate(Logger log, BringUpToDate b, ControlSeals seals, ActorRef<CoordinatorCommand> self) {
    for (BringUpToDate.MissedCommit m : b.missedCommits()) {
      log.info("{} missed the commit of round {}: committing it there", m.member().nodeId(), b.round());
      m.member().participant().tell(seals.seal(new CommitRound(m.attempt(), b.hash(), b.certificate(), self)));
    }
    if (!b.behind().isEmpty()) {
      // The same for every member behind: one signature.
      CatchUp catchUp = seals.seal(new CatchUp(b.round(), b.hash(), b.sources(), self, b.certificate()));
      for (BringUpToDate.Behind s : b.behind()) {
        log.info("{} holds round {}, the latest is {}: it catches up from a peer", s.member().nodeId(),
            s.committedRound(), b.round());
        s.member().participant().tell(catchUp);
      }
    }
  }
}
