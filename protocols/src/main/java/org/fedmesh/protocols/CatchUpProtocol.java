package org.fedmesh.protocols;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A member that is behind fetches a committed model state from a peer, in parts that each fit one frame. It checks
 * the commit certificate first (a majority of the consortium's certified members signed the model's hash) and the
 * model's hash after: neither the coordinator nor the peer can hand it a model the consortium did not commit.
 */
public final class CatchUpProtocol {
  private CatchUpProtocol() {}

  /**
   * From the coordinator to a member that is behind: fetch the model committed at {@code round}, whose hash is
   * {@code hash}, from one of {@code sources} (members that hold it), then report its new status to
   * {@code replyTo}. {@code certificate} is the commit certificate of that round, as the sources reported it from
   * their own commit or journal; the member refuses to fetch anything without a valid one. Sealed by the coordinator's
   * host (see the table in {@link RoundProtocol}); {@code FetchModel}, {@code ModelPart} and {@code ModelUnavailable}
   * are not: a peer's model is checked against the certificate's hash, whoever sends it.
   */
  public record CatchUp(long round, String hash, List<ActorRef<RoundProtocol.ParticipantCommand>> sources,
                        ActorRef<RoundProtocol.CoordinatorCommand> replyTo, RoundProtocol.CommitProof certificate,
                        RoundProtocol.ControlSignature seal)
      implements RoundProtocol.ParticipantCommand, CborSerializable, RoundProtocol.Sealable<CatchUp> {
    public CatchUp {
      sources = List.copyOf(sources);
    }

    /** Unsealed: receivers refuse it until it is sealed. */
    public CatchUp(long round, String hash, List<ActorRef<RoundProtocol.ParticipantCommand>> sources,
                   ActorRef<RoundProtocol.CoordinatorCommand> replyTo, RoundProtocol.CommitProof certificate) {
      this(round, hash, sources, replyTo, certificate, null);
    }

    @Override
    public CatchUp withSeal(RoundProtocol.ControlSignature seal) {
      return new CatchUp(round, hash, sources, replyTo, certificate, seal);
    }
  }

  public record FetchModel(long round, ActorRef<RoundProtocol.ParticipantCommand> replyTo)
      implements RoundProtocol.ParticipantCommand, CborSerializable {}

  /** Part {@code part} of {@code parts} of the model state committed at {@code round}. */
  public record ModelPart(long round, int part, int parts, int offset, float[] values)
      implements RoundProtocol.ParticipantCommand, VectorMessage {
    @Override
    public boolean equals(Object o) {
      return o instanceof ModelPart p && round == p.round && part == p.part && parts == p.parts
          && offset == p.offset && Arrays.equals(values, p.values);
    }

    @Override
    public int hashCode() {
      return 31 * Objects.hash(round, part, parts, offset) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "ModelPart[round " + round + ", " + (part + 1) + "/" + parts + ", " + values.length + " values]";
    }
  }

  public record ModelUnavailable(long round, String nodeId, String reason)
      implements RoundProtocol.ParticipantCommand, CborSerializable {}
}
