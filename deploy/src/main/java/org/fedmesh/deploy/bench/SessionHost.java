package org.fedmesh.deploy.bench;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.node.round.AttemptSession;

/** A bench member's guardian: starts attempt sessions as its children and stops them, as a participant does. */
final class SessionHost {
  private SessionHost() {}

  sealed interface Command {}

  record Spawn(AttemptSession.Setup setup, String name, ActorRef<ActorRef<AttemptSession.Command>> replyTo)
      implements Command {}

  record Stop(ActorRef<AttemptSession.Command> session) implements Command {}

  static Behavior<Command> create() {
    return Behaviors.setup(context -> Behaviors.receive(Command.class)
        .onMessage(Spawn.class, m -> {
          m.replyTo().tell(context.spawn(AttemptSession.create(m.setup()), m.name()));
          return Behaviors.same();
        })
        .onMessage(Stop.class, m -> {
          context.stop(m.session());
          return Behaviors.same();
        })
        .build());
  }
}
