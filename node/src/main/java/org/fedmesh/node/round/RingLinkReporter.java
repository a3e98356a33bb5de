package org.fedmesh.node.round;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.RoundProtocol.ReportRingLinks;
import org.fedmesh.protocols.RoundProtocol.RingLinks;

/**
 * A participant's child that answers the coordinator's {@link ReportRingLinks} at a stuck ring's deadline: it asks
 * the member's ring endpoint what its predecessor sent and replies with a {@link RingLinks} sealed by this member
 * (a report accuses the predecessor, so it must be the member's own word). No answer from the endpoint in time
 * means "unknown", which accuses nobody.
 */
final class RingLinkReporter {
  /** The endpoint answers at once; this only bounds a wait on an endpoint that is restarting. */
  private static final Duration ENDPOINT_TIMEOUT = Duration.ofSeconds(2);

  /** What it accepts: the coordinator's query, relayed by the participant, and the endpoint's answer. */
  sealed interface Command {}

  record Report(ReportRingLinks query) implements Command {}

  private record Answered(ReportRingLinks query, RingAllReduce.LinkReport report) implements Command {}

  private RingLinkReporter() {}

  static Behavior<Command> create(String nodeId, ActorRef<AllReduceProtocol.Command> ring, ControlSeals seals) {
    return Behaviors.setup(context -> Behaviors.receive(Command.class)
        .onMessage(Report.class, r -> {
          context.ask(RingAllReduce.LinkReport.class, ring, ENDPOINT_TIMEOUT,
              ref -> new RingAllReduce.ReportLinks(r.query().attempt(), ref),
              (report, failure) -> new Answered(r.query(), report));
          return Behaviors.same();
        })
        .onMessage(Answered.class, a -> {
          RingAllReduce.LinkReport r = a.report();
          RingLinks links = r == null || !r.known()
              ? new RingLinks(a.query().attempt(), nodeId, false, 0, 0, 0, null, 0, 0)
              : new RingLinks(a.query().attempt(), nodeId, true, r.ownPiecesExpected(), r.ownPiecesReceived(),
                  r.misfitPieces(), r.firstMisfit(), r.forgedPieces(), r.overflowPieces());
          a.query().replyTo().tell(seals.seal(links));
          return Behaviors.same();
        })
        .build());
  }
}
