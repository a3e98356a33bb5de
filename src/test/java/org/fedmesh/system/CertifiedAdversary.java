package org.fedmesh.system;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.FedmeshNode;
import org.fedmesh.node.LocalTraining;
import org.fedmesh.node.NodeSettings;
import org.fedmesh.node.SiteData;
import org.fedmesh.node.data.TrainTest;
import org.fedmesh.node.round.ControlSeals;
import org.fedmesh.node.round.Participant;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;

/**
 * A certified member gone bad, in a process of its own: a real member (its own certificate from the consortium's
 * CA, its own data, honest keys, Ready and Contributed) whose ring endpoint stays silent in the first round it is in,
 * is honest in the next HONEST rounds it is in, and then sends random words instead of its masked update. Once it holds a model it also plays coordinator:
 * it seals, with its own identity, a CatchUp to round 1,000,000 and sends it to every participant.
 *
 * <p>Usage: {@code CertifiedAdversary SITE.conf HONEST}; runs until killed.
 */
public final class CertifiedAdversary {
  private CertifiedAdversary() {}

  public static void main(String[] args) throws Exception {
    Config site = ConfigFactory.parseFile(Path.of(args[0]).toFile()).withFallback(FedmeshNode.defaults()).resolve();
    int honestRounds = Integer.parseInt(args[1]);
    NodeSettings s = NodeSettings.fromConfig(site);
    MemberIdentity identity = MemberIdentity.load(Path.of(s.identity().key()), Path.of(s.identity().certificate()),
        Path.of(s.identity().ca()));
    TrainTest data = SiteData.load(s.data());
    LocalTraining training = new LocalTraining(s.model(), s.training(), data.train(), data.train().numClasses(),
        s.modelSeed(), s.dp(), s.noiseShares(), null, s.data().consortiumStatistics());
    FedmeshNode node = FedmeshNode.start(site, identity, training, (nodeId, model, loss) -> { },
        MisbehavingRing.silentOnceThenGarbage(honestRounds));

    // Plays coordinator once every site's participant is listed: a sealed CatchUp far ahead, with no certificate.
    List<ActorRef<ParticipantCommand>> participants = List.of();
    while (participants.size() < s.seedNodes().size()) {
      Thread.sleep(500); // another process's cluster forming: nothing to subscribe to from here but the listing
      Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
          node.system().receptionist(), reply -> Receptionist.find(Participant.KEY, reply),
          java.time.Duration.ofSeconds(10), node.system().scheduler()).toCompletableFuture().get();
      participants = List.copyOf(listing.getServiceInstances(Participant.KEY));
    }
    CatchUp forged = ControlSeals.of(node.system(), identity).seal(new CatchUp(1_000_000, "cd".repeat(32),
        participants, node.system().ignoreRef(), null));
    participants.forEach(p -> p.tell(forged));
    System.out.println("ADVERSARY sent a sealed CatchUp to " + participants.size() + " participants");
    node.system().getWhenTerminated().toCompletableFuture().join();
  }
}
