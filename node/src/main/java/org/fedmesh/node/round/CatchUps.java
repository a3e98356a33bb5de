package org.fedmesh.node.round;

import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;

/**
 * The participant's fetches of a committed model from a peer, one at a time, each in a {@link CatchUpSession}
 * child. It decides whether to fetch at all: only on a valid commit certificate of the round and hash asked for, so
 * a forged {@code CatchUp} makes this member contact nobody. The participant adopts what it hands back.
 */
final class CatchUps {
  private record Live(long round, String hash, ActorRef<ParticipantCommand> session) {}

  private final ActorContext<ParticipantCommand> context;
  private final CommitVerifier verifier;
  private final int parameterCount;
  private final ActorRef<CatchUpSession.Outcome> reports;
  private Optional<Live> live = Optional.empty();
  private long sessions;

  CatchUps(ActorContext<ParticipantCommand> context, CommitVerifier verifier, int parameterCount,
           ActorRef<CatchUpSession.Outcome> reports) {
    this.context = context;
    this.verifier = verifier;
    this.parameterCount = parameterCount;
    this.reports = reports;
  }

  /** Starts fetching what {@code catchUp} names, unless this member holds {@code committed} already or refuses. */
  void start(CatchUp catchUp, ModelState committed) {
    if (catchUp.round() <= committed.round() || catchUp.sources().isEmpty()) {
      return;
    }
    Optional<Live> same = live.filter(c -> c.round() == catchUp.round() && c.hash().equals(catchUp.hash()));
    if (same.isPresent()) {
      same.get().session().tell(catchUp); // asked again: the previous source did not deliver
      return;
    }
    Optional<String> refusal = verifier.catchUpRefusal(catchUp.certificate(), catchUp.round(), catchUp.hash());
    if (refusal.isPresent()) {
      context.getLog().warn("Refused to catch up to round {} ({}) from {} as {} asked: {}; keeping round {}",
          catchUp.round(), RoundRules.abbreviate(catchUp.hash()), catchUp.sources().stream().map(ActorRef::path)
              .toList(), catchUp.replyTo().path(), refusal.get(), committed.round());
      return;
    }
    stop();
    context.getLog().info("Behind: holds round {}, fetching the model of round {} ({}) from a peer",
        committed.round(), catchUp.round(), RoundRules.abbreviate(catchUp.hash()));
    ActorRef<ParticipantCommand> session = context.spawn(CatchUpSession.create(catchUp,
        committed.flatten().length, parameterCount, reports), "catch-up-" + catchUp.round() + "-" + (++sessions));
    live = Optional.of(new Live(catchUp.round(), catchUp.hash(), session));
  }

  /** The fetched model to adopt, if the session delivered one that is later than {@code committed} and proven. */
  Optional<CatchUpSession.Fetched> finished(CatchUpSession.Outcome outcome, ModelState committed) {
    live = Optional.empty(); // the session stops itself after reporting
    if (outcome instanceof CatchUpSession.Abandoned abandoned) {
      context.getLog().warn("Catching up to round {} failed: {}", abandoned.round(), abandoned.reason());
    } else if (outcome instanceof CatchUpSession.Fetched fetched && fetched.model().round() > committed.round()) {
      // Checked before the fetch too; again here, so that adoption rests on this model's own proof.
      Optional<String> refusal = verifier.catchUpRefusal(fetched.certificate(), fetched.model().round(),
          fetched.model().hash());
      if (refusal.isEmpty()) {
        return Optional.of(fetched);
      }
      context.getLog().warn("Refused the model of round {} fetched from a peer: {}", fetched.model().round(),
          refusal.get());
    }
    return Optional.empty();
  }

  void stop() {
    live.ifPresent(c -> context.stop(c.session()));
    live = Optional.empty();
  }
}
