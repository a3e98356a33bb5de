package org.fedmesh.node.round;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.CatchUpProtocol.FetchModel;
import org.fedmesh.protocols.CatchUpProtocol.ModelPart;
import org.fedmesh.protocols.CatchUpProtocol.ModelUnavailable;
import org.fedmesh.protocols.RoundProtocol.CommitProof;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;

/**
 * Fetches one committed model from a peer, in parts, for a participant that is behind: a child of the
 * {@link Participant}. The peer answers to this session, so parts of an abandoned fetch land in dead letters. The
 * model is handed over only when its hash is the one the coordinator named; the session then stops.
 *
 * <p>One state, {@link #fetching}: it accepts model parts, a peer's refusal, and the coordinator's repeated
 * {@code CatchUp} (the previous source did not deliver: ask the next one).
 */
public final class CatchUpSession {

  /** What the session reports to its participant. */
  public sealed interface Outcome {}

  /**
   * The model, its hash checked against the one {@code certificate} (the CatchUp's) certifies; {@code replyTo} waits
   * for the participant's new status.
   */
  public record Fetched(ModelState model, ActorRef<CoordinatorCommand> replyTo, CommitProof certificate)
      implements Outcome {}

  /** The fetch gave nothing usable; the next survey names the round to fetch again. */
  public record Abandoned(long round, String reason) implements Outcome {}

  private final ActorContext<ParticipantCommand> context;
  private final long round;
  private final String hash;
  private final CommitProof certificate;
  private final int parameterCount;
  private final ActorRef<Outcome> participant;
  private final float[] state;
  private final BitSet received = new BitSet();
  private int sourceIndex = -1;

  /** {@code length}: the flattened model's length (parameters and optimizer state), the same on every member. */
  public static Behavior<ParticipantCommand> create(CatchUp catchUp, int length, int parameterCount,
                                                    ActorRef<Outcome> participant) {
    return Behaviors.setup(context -> new CatchUpSession(context, catchUp, length, parameterCount, participant)
        .askNextSource(catchUp));
  }

  private CatchUpSession(ActorContext<ParticipantCommand> context, CatchUp catchUp, int length, int parameterCount,
                         ActorRef<Outcome> participant) {
    this.context = context;
    this.round = catchUp.round();
    this.hash = catchUp.hash();
    this.certificate = catchUp.certificate();
    this.parameterCount = parameterCount;
    this.participant = participant;
    this.state = new float[length];
  }

  /** The serving side: sends the model this member committed at the requested round, in parts of one frame each. */
  public static void serve(FetchModel request, ModelState committed, int partFloats, String nodeId) {
    if (request.round() != committed.round()) {
      request.replyTo().tell(new ModelUnavailable(request.round(), nodeId, "it holds round " + committed.round()));
      return;
    }
    float[] all = committed.flatten();
    int parts = Math.max(1, (all.length + partFloats - 1) / partFloats);
    for (int p = 0; p < parts; p++) {
      int from = p * partFloats;
      float[] values = Arrays.copyOfRange(all, from, Math.min(all.length, from + partFloats));
      request.replyTo().tell(new ModelPart(committed.round(), p, parts, from, values));
    }
  }

  private Behavior<ParticipantCommand> askNextSource(CatchUp catchUp) {
    List<ActorRef<ParticipantCommand>> sources = catchUp.sources();
    sourceIndex++;
    sources.get(Math.floorMod(sourceIndex, sources.size())).tell(new FetchModel(round, context.getSelf()));
    return fetching(catchUp.replyTo());
  }

  private Behavior<ParticipantCommand> fetching(ActorRef<CoordinatorCommand> replyTo) {
    return Behaviors.receive(ParticipantCommand.class)
        .onMessage(ModelPart.class, part -> onPart(part, replyTo))
        .onMessage(ModelUnavailable.class, m -> {
          if (m.round() != round) {
            return Behaviors.same();
          }
          participant.tell(new Abandoned(round, m.nodeId() + " cannot serve it: " + m.reason()));
          return Behaviors.stopped();
        })
        .onMessage(CatchUp.class, m -> m.round() == round && m.hash().equals(hash) && !m.sources().isEmpty()
            ? askNextSource(m) : Behaviors.same())
        .build();
  }

  private Behavior<ParticipantCommand> onPart(ModelPart part, ActorRef<CoordinatorCommand> replyTo) {
    if (part.round() != round || part.offset() < 0 || part.parts() < 1 || part.part() < 0
        || part.part() >= part.parts() || part.offset() + part.values().length > state.length) {
      context.getLog().warn("Dropped {}: not part of the model of round {} being fetched", part, round);
      return Behaviors.same();
    }
    System.arraycopy(part.values(), 0, state, part.offset(), part.values().length);
    received.set(part.part());
    if (received.cardinality() < part.parts()) {
      return Behaviors.same();
    }
    ModelState fetched = ModelState.unflatten(round, state, parameterCount);
    if (!fetched.hash().equals(hash)) {
      participant.tell(new Abandoned(round, "the model fetched hashes to " + fetched.shortHash() + ", not "
          + hash.substring(0, Math.min(12, hash.length()))));
      return Behaviors.stopped();
    }
    participant.tell(new Fetched(fetched, replyTo, certificate));
    return Behaviors.stopped();
  }
}
