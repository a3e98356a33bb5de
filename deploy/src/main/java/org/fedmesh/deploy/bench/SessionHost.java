package org.fedmesh.deploy.bench;

import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.node.round.AttemptSession;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.SelfMaskProtocol.PeerMessage;

/**
 * A bench member's guardian: starts attempt sessions as its children and stops them, and relays peers'
 * double-masking messages to the session of their attempt, as a participant does.
 */
final class SessionHost {
  private SessionHost() {}

  sealed interface Command {}

  record Spawn(AttemptSession.Setup setup, String name, ActorRef<ActorRef<AttemptSession.Command>> replyTo)
      implements Command {}

  record Stop(ActorRef<AttemptSession.Command> session) implements Command {}

  record Relay(PeerMessage message) implements Command {}

  static Behavior<Command> create() {
    return Behaviors.setup(context -> {
      Map<AttemptId, ActorRef<AttemptSession.Command>> sessions = new HashMap<>();
      return Behaviors.receive(Command.class)
          .onMessage(Spawn.class, m -> {
            ActorRef<AttemptSession.Command> session = context.spawn(AttemptSession.create(m.setup()), m.name());
            sessions.put(m.setup().start().attempt(), session);
            m.replyTo().tell(session);
            return Behaviors.same();
          })
          .onMessage(Stop.class, m -> {
            sessions.values().remove(m.session());
            context.stop(m.session());
            return Behaviors.same();
          })
          .onMessage(Relay.class, m -> {
            ActorRef<AttemptSession.Command> session = sessions.get(m.message().attempt());
            if (session != null) {
              session.tell(new AttemptSession.FromPeer(m.message()));
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  /** What stands for the member's participant: it takes peers' messages to the host, and ignores the rest. */
  static Behavior<ParticipantCommand> participant(ActorRef<Command> host) {
    return Behaviors.receive(ParticipantCommand.class)
        .onMessage(PeerMessage.class, m -> {
          host.tell(new Relay(m));
          return Behaviors.same();
        })
        .build();
  }
}
