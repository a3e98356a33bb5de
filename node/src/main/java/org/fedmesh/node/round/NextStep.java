package org.fedmesh.node.round;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.RingMember;

/**
 * What {@link RoundPlanner} tells the coordinator to do after a survey. Every step carries the survey's
 * {@link Findings}, facts worth logging that do not change the step; the coordinator logs them.
 */
public sealed interface NextStep {

  Findings findings();

  /**
   * @param latestRound the latest round any member committed (-1 when nobody answered)
   * @param disagreeingHashes model hash to member count at the latest round, when members there disagree; else empty
   * @param conflictingResults members hold different uncommitted results for the round after it
   */
  record Findings(long latestRound, Map<String, Long> disagreeingHashes, boolean conflictingResults) {
    public static final Findings NONE = new Findings(-1, Map.of(), false);

    public Findings {
      disagreeingHashes = Map.copyOf(disagreeingHashes);
    }
  }

  /** Too few members: wait for the membership to change, or the retry backoff. */
  record Pause(String reason, Findings findings) implements NextStep {}

  /**
   * {@code attempts} attempts in a row at {@code round} with exactly {@code participants} summed to values that do
   * not decode: one of them sends garbage, and nobody can tell which. Training stops until the membership changes
   * (the operators revoke the culprit) or a long backoff passes.
   */
  record PauseUndecodable(long round, Set<String> participants, int attempts, Findings findings)
      implements NextStep {
    public PauseUndecodable {
      participants = Set.copyOf(participants);
    }
  }

  /**
   * Commit the result of {@code attempt}, hashing to {@code resultHash}, that the members of {@code ring} (the
   * attempt's whole ring) hold as pending while nobody committed it (a coordinator died in between), on
   * {@code certificate}, made of their signatures; {@code currentMembers} hold the base model.
   */
  record CompleteInFlight(AttemptId attempt, List<RingMember> ring, String resultHash, CommitProof certificate,
                          int currentMembers, Findings findings) implements NextStep {
    public CompleteInFlight {
      ring = List.copyOf(ring);
    }
  }

  /**
   * Tell {@code survivors}, every one of which revealed its seed in {@code attempt} (so every participant attested
   * and the sum may be known), to complete it without {@code lost}, members of its ring that did not answer (a
   * coordinator died with one of them): they exchange segments and decode, and a later survey finds them holding
   * the result ({@link CompleteInFlight}).
   */
  record RecoverInFlight(AttemptId attempt, List<RingMember> survivors, List<String> lost, Findings findings)
      implements NextStep {
    public RecoverInFlight {
      survivors = List.copyOf(survivors);
      lost = List.copyOf(lost);
    }
  }

  /**
   * Bring members behind the latest round ({@code round}, hash {@code hash}) up to date, then carry out
   * {@code then}: members that only missed its commit get the commit again, members further behind fetch the model
   * from {@code sources}; both on {@code certificate}, the round's commit certificate as members holding it
   * reported it (null when none did: the members behind then refuse, and stay behind until the next round).
   */
  record BringUpToDate(long round, String hash, CommitProof certificate, List<ActorRef<ParticipantCommand>> sources,
                       List<MissedCommit> missedCommits, List<Behind> behind, NextStep then,
                       Findings findings) implements NextStep {
    public BringUpToDate {
      sources = List.copyOf(sources);
      missedCommits = List.copyOf(missedCommits);
      behind = List.copyOf(behind);
    }

    /** True when the coordinator waits for the members catching up before going on. */
    public boolean awaits() {
      return then instanceof AwaitCatchUp;
    }

    /** {@code member} holds the latest round's result as pending ({@code attempt}); its commit did not reach it. */
    public record MissedCommit(RingMember member, AttemptId attempt) {}

    /** {@code member} last committed {@code committedRound}. */
    public record Behind(RingMember member, long committedRound) {}
  }

  /**
   * Wait (once per round, at most a survey timeout) for the members in {@code nodeIds} to report round
   * {@code round}; a member that catches up in time takes part instead of staying a round behind.
   */
  record AwaitCatchUp(long round, Set<String> nodeIds, Findings findings) implements NextStep {
    public AwaitCatchUp {
      nodeIds = Set.copyOf(nodeIds);
    }
  }

  /**
   * Start attempt {@code attempt} at {@code round} with {@code ring} from the model hashing to {@code baseHash};
   * {@code leftOut}: stragglers excluded from it.
   */
  record StartAttempt(long round, int attempt, List<RingMember> ring, String baseHash,
                      Set<String> leftOut, Findings findings) implements NextStep {
    public StartAttempt {
      ring = List.copyOf(ring);
      leftOut = Set.copyOf(leftOut);
    }
  }

  /**
   * All configured rounds are committed; the last is {@code round}, its model hashes to {@code hash}.
   * {@code membersBehind}: members still catching up to it, whom a later survey checks on (a fetch can fail).
   */
  record Finished(long round, String hash, Set<String> membersBehind, Findings findings) implements NextStep {
    public Finished {
      membersBehind = Set.copyOf(membersBehind);
    }
  }
}
