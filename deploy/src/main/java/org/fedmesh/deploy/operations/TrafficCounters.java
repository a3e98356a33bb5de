package org.fedmesh.deploy.operations;

import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Bytes and messages this actor system sent and received over Artery, as {@link TrafficInstrument} counts them:
 * serialized envelopes (header and payload) before TLS, so TLS records and TCP overhead are not included. One per
 * actor system, so several members in one JVM keep their own counts.
 */
public final class TrafficCounters implements Extension {
  public static final Id ID = new Id();

  public static final class Id extends AbstractExtensionId<TrafficCounters> {
    @Override
    public TrafficCounters createExtension(ExtendedActorSystem system) {
      return new TrafficCounters();
    }
  }

  private final LongAdder bytesSent = new LongAdder();
  private final LongAdder bytesReceived = new LongAdder();
  private final LongAdder messagesSent = new LongAdder();
  private final LongAdder messagesReceived = new LongAdder();

  private TrafficCounters() {}

  public static TrafficCounters get(ActorSystem<?> system) {
    return ID.get(Adapter.toClassic(system));
  }

  static TrafficCounters get(ExtendedActorSystem system) {
    return ID.get(system);
  }

  void sent(int bytes) {
    bytesSent.add(bytes);
    messagesSent.increment();
  }

  void received(int bytes) {
    bytesReceived.add(bytes);
    messagesReceived.increment();
  }

  public long bytesSent() {
    return bytesSent.sum();
  }

  public long bytesReceived() {
    return bytesReceived.sum();
  }

  public long messagesSent() {
    return messagesSent.sum();
  }

  public long messagesReceived() {
    return messagesReceived.sum();
  }
}
