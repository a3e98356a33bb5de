package org.fedmesh.node.membership;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.slf4j.LoggerFactory;

/**
 * What this member's TLS layer holds, one per actor system: its identity (read from the PEM files in
 * {@code fedmesh.identity}), the revocation list, the certificates verified at peer addresses and the refusal log.
 * The engine provider fills it; the {@link MembershipGuard} reads it.
 */
public final class MemberTls implements Extension {

  public static final Id ID = new Id();

  /** Creates the extension from the actor system's configuration. */
  public static final class Id extends AbstractExtensionId<MemberTls> {
    @Override
    public MemberTls createExtension(ExtendedActorSystem system) {
      return new MemberTls(system.settings().config());
    }
  }

  private final TlsSettings settings;
  private final MemberIdentity identity;
  private final RevocationWatch revocations;
  private final PeerCertificates peers = new PeerCertificates();
  private final RefusalLog refusals;

  private MemberTls(Config config) {
    settings = TlsSettings.fromConfig(config.getConfig("fedmesh.tls"));
    Config files = config.getConfig("fedmesh.identity");
    try {
      identity = MemberIdentity.load(Path.of(files.getString("key")), Path.of(files.getString("certificate")),
          Path.of(files.getString("ca")));
      String list = files.getString("revocation-list");
      revocations = list.isEmpty() ? RevocationWatch.none() : RevocationWatch.load(Path.of(list),
          identity.caCertificate(), settings.revocationCheckInterval(), System::nanoTime);
    } catch (IOException e) {
      throw new IllegalStateException("cannot set up mutual TLS: " + e.getMessage(), e);
    }
    refusals = new RefusalLog(LoggerFactory.getLogger(MemberTlsEngineProvider.class), settings.refusalLogInterval(),
        System::nanoTime);
  }

  public static MemberTls get(ActorSystem<?> system) {
    return ID.get(Adapter.toClassic(system));
  }

  public static MemberTls get(org.apache.pekko.actor.ActorSystem system) {
    return ID.get(system);
  }

  public TlsSettings settings() {
    return settings;
  }

  public MemberIdentity identity() {
    return identity;
  }

  public RevocationWatch revocations() {
    return revocations;
  }

  public PeerCertificates peers() {
    return peers;
  }

  RefusalLog refusals() {
    return refusals;
  }
}
