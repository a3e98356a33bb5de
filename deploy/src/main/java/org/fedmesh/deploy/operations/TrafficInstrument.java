package org.fedmesh.deploy.operations;

import java.nio.ByteBuffer;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.remote.artery.RemoteInstrument;

/**
 * Artery's monitoring hook ({@code pekko.remote.artery.advanced.instruments}): told the size of every envelope
 * the system sends or receives. It writes no metadata into messages, so peers without it are not affected.
 */
public final class TrafficInstrument extends RemoteInstrument {
  /** Identifiers 0-7 are Pekko's own; any other byte not used by another instrument will do. */
  private static final byte IDENTIFIER = 23;

  private final TrafficCounters counters;

  public TrafficInstrument(ExtendedActorSystem system) {
    this.counters = TrafficCounters.get(system);
  }

  @Override
  public byte identifier() {
    return IDENTIFIER;
  }

  @Override
  public boolean serializationTimingEnabled() {
    return false;
  }

  @Override
  public void remoteWriteMetadata(ActorRef recipient, Object message, ActorRef sender, ByteBuffer buffer) {
    // nothing to attach
  }

  @Override
  public void remoteMessageSent(ActorRef recipient, Object message, ActorRef sender, int size, long time) {
    counters.sent(size);
  }

  @Override
  public void remoteReadMetadata(ActorRef recipient, Object message, ActorRef sender, ByteBuffer buffer) {
    // nothing attached
  }

  @Override
  public void remoteMessageReceived(ActorRef recipient, Object message, ActorRef sender, int size, long time) {
    counters.received(size);
  }
}
