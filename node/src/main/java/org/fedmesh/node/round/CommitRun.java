package org.fedmesh.node.round;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.CommitFailed;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.RoundCommitted;

/**
 * The commit of one attempt's result, as a child of the {@link RoundCoordinator} that lives as long as the wait for
 * acknowledgements: it sends CommitRound (acknowledged to itself) and waits for every member, except members that
 * leave the receptionist listing (the others hold the model; a lost member catches up when back) and members that
 * could not write their checkpoint (they keep the result pending; the next survey sends them the commit again).
 * Then it tells its parent whether anybody holds the round, and stops.
 */
final class CommitRun {

  /** How the commit ended; sent to the parent. */
  sealed interface Outcome extends CoordinatorCommand {
    AttemptId attempt();
  }

  /** At least one member acknowledged, or the deadline passed: the next survey brings the others along. */
  record Committed(AttemptId attempt) implements Outcome {}

  /** Nobody is left to wait for and nobody acknowledged: nobody holds the round yet. */
  record NotCommitted(AttemptId attempt) implements Outcome {}

  private enum Deadline implements CoordinatorCommand { INSTANCE }

  private record ListingChanged(Receptionist.Listing listing) implements CoordinatorCommand {}

  private final ActorContext<CoordinatorCommand> context;
  private final AttemptId id;
  private final String hash;
  private final ActorRef<Outcome> parent;
  /** Members still awaited, by node id. */
  private final Map<String, ActorRef<ParticipantCommand>> waiting = new HashMap<>();
  private final Set<String> acknowledged = new HashSet<>();
  private final ParticipantSenders senders;

  /** Commits {@code id}'s result, hashing to {@code hash}, on {@code certificate}, the ring's signatures of it. */
  static Behavior<CoordinatorCommand> create(AttemptId id, List<RingMember> ring, String hash, CommitProof certificate,
                                             Duration deadline, ActorRef<Outcome> parent, ControlSeals seals) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      CommitRound commit = seals.seal(new CommitRound(id, hash, certificate, context.getSelf()));
      ring.forEach(p -> p.participant().tell(commit));
      timers.startSingleTimer(Deadline.INSTANCE, deadline);
      // The first listing arrives at once: a member already gone is not waited for.
      context.getSystem().receptionist().tell(Receptionist.subscribe(Participant.KEY,
          context.messageAdapter(Receptionist.Listing.class, ListingChanged::new)));
      return new CommitRun(context, id, ring, hash, parent, seals).waitingForAcknowledgements();
    }));
  }

  private CommitRun(ActorContext<CoordinatorCommand> context, AttemptId id, List<RingMember> ring, String hash,
                    ActorRef<Outcome> parent, ControlSeals seals) {
    this.context = context;
    this.id = id;
    this.hash = hash;
    this.parent = parent;
    ring.forEach(p -> waiting.put(p.nodeId(), p.participant()));
    this.senders = new ParticipantSenders(seals, id, waiting.keySet(), context.getLog());
  }

  private Behavior<CoordinatorCommand> waitingForAcknowledgements() {
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(RoundCommitted.class, m -> {
          if (m.attempt().equals(id) && m.modelHash().equals(hash) && senders.accepts(m, m.nodeId())
              && waiting.remove(m.nodeId()) != null) {
            acknowledged.add(m.nodeId());
          }
          return endIfNobodyAwaited();
        })
        .onMessage(CommitFailed.class, m -> {
          if (m.attempt().equals(id) && senders.accepts(m, m.nodeId()) && waiting.remove(m.nodeId()) != null) {
            context.getLog().error("{} could not commit round {}: {}; the next survey sends it the commit again",
                m.nodeId(), id.round(), m.reason());
          }
          return endIfNobodyAwaited();
        })
        .onMessage(ListingChanged.class, m -> {
          Set<ActorRef<ParticipantCommand>> listed = m.listing().getServiceInstances(Participant.KEY);
          List<String> gone = waiting.entrySet().stream().filter(e -> !listed.contains(e.getValue()))
              .map(Map.Entry::getKey).sorted().toList();
          if (!gone.isEmpty()) {
            context.getLog().warn("Round {}: {} left before acknowledging the commit; not waiting for them",
                id.round(), gone);
            waiting.keySet().removeAll(gone);
          }
          return endIfNobodyAwaited();
        })
        .onMessage(Deadline.class, t -> {
          // The round is committed once any member applied it; the next survey brings stragglers along.
          context.getLog().warn("Round {}: no commit acknowledgement from {}", id.round(),
              waiting.keySet().stream().sorted().toList());
          parent.tell(new Committed(id));
          return Behaviors.stopped();
        })
        .onAnyMessage(m -> {
          context.getLog().debug("Ignored {} while committing {}", m, id);
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<CoordinatorCommand> endIfNobodyAwaited() {
    if (!waiting.isEmpty()) {
      return Behaviors.same();
    }
    parent.tell(acknowledged.isEmpty() ? new NotCommitted(id) : new Committed(id));
    return Behaviors.stopped();
  }
}
