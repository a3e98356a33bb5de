package org.fedmesh.deploy.operations;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.fedmesh.mpc.pki.CertificateValidator;
import org.fedmesh.mpc.pki.IssuedCertificates;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.mpc.pki.RevocationList;

/**
 * Whether a member is ready to train: it is an Up member of the cluster, its certificate is valid now (signed by
 * the consortium CA, not expired, not on the revocation list it was given) and its data is loaded. Each check
 * says why it fails, so {@code /health/ready} tells an operator what to fix.
 */
public final class Readiness {

  /** One check: whether it holds and, for a person, what was seen. */
  public record Check(boolean ok, String detail) {}

  private final ActorSystem<?> system;
  private final MemberIdentity identity;
  private final Optional<Path> revocationList;
  private final int trainingRows;

  public Readiness(ActorSystem<?> system, MemberIdentity identity, Optional<Path> revocationList, int trainingRows) {
    this.system = system;
    this.identity = identity;
    this.revocationList = revocationList;
    this.trainingRows = trainingRows;
  }

  /** Every check by name, in a stable order. */
  public Map<String, Check> checks() {
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put("joined", joined());
    checks.put("certificate", certificate());
    checks.put("data", trainingRows > 0 ? new Check(true, trainingRows + " training rows loaded")
        : new Check(false, "no training rows"));
    return checks;
  }

  public boolean ready() {
    return checks().values().stream().allMatch(Check::ok);
  }

  private Check joined() {
    if (system.getWhenTerminated().toCompletableFuture().isDone()) {
      return new Check(false, "the actor system has stopped");
    }
    MemberStatus status = Cluster.get(system).selfMember().status();
    String name = status.toString().toLowerCase(java.util.Locale.ROOT);
    return new Check(status == MemberStatus.up(), "cluster member status " + name);
  }

  private Check certificate() {
    try {
      CertificateValidator.validateMember(identity.certificate(), identity.caCertificate(), Instant.now());
    } catch (Exception e) {
      return new Check(false, e.getMessage());
    }
    String serial = IssuedCertificates.serialHex(identity.certificate().getSerialNumber());
    if (revocationList.isPresent()) {
      try {
        if (RevocationList.load(revocationList.get(), identity.caCertificate())
            .isRevoked(identity.certificate().getSerialNumber())) {
          return new Check(false, "serial " + serial + " is revoked in " + revocationList.get());
        }
      } catch (Exception e) {
        return new Check(false, "cannot read the revocation list " + revocationList.get() + ": " + e.getMessage());
      }
    }
    return new Check(true, "serial " + serial + " valid until " + identity.certificate().getNotAfter().toInstant());
  }
}
