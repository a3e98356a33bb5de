package org.fedmesh.deploy.bench;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.round.AggregationPipeline;
import org.fedmesh.node.round.AttemptSession;
import org.fedmesh.node.round.ControlSeals;
import org.fedmesh.node.round.LocalUpdates.LocalUpdate;
import org.fedmesh.node.round.ModelState;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.Contributed;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.KeyAdvert;
import org.fedmesh.protocols.RoundProtocol.Ready;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/**
 * Times one aggregation of D parameters over the bench cluster with the code a round runs: one
 * {@link AttemptSession} per member, exactly as a participant starts it, with the benchmark playing the participant
 * (it hands over the update) and the coordinator (it relays the Ready keys as RoundKeys). The timer runs from the
 * members' updates being handed over to every member holding the decoded and applied sum. Plain and secure differ
 * only in the StartRound; {@link #secure()} and {@link #secureCold()} in whether keys and masks are made first.
 */
final class AggregationBenchmark {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final BenchCluster cluster;
  private final List<MemberIdentity> identities;
  private final AggregationPipeline pipeline;
  private final ModelState base;
  private final List<LocalUpdate> updates = new ArrayList<>();
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong names = new AtomicLong();
  private double lastPreparation;
  private long round;

  /**
   * One aggregation: its wall time, what each member applied, and each member's payload bytes sent and received
   * (8 per value); {@code exchangeSeconds} is the all-reduce (or the star's exchange) alone, from the first member
   * sending to the last holding the sum.
   */
  record Outcome(double seconds, double exchangeSeconds, List<AggregationPipeline.Applied> applied, long[] bytesSent,
                 long[] bytesReceived) {
    long busiestSent() {
      return Arrays.stream(bytesSent).max().orElse(0);
    }

    long busiestReceived() {
      return Arrays.stream(bytesReceived).max().orElse(0);
    }

    long totalSent() {
      return Arrays.stream(bytesSent).sum();
    }
  }

  AggregationBenchmark(BenchCluster cluster, List<MemberIdentity> identities, AggregationPipeline pipeline,
                       long seed) {
    this.cluster = cluster;
    this.identities = identities;
    this.pipeline = pipeline;
    int params = pipeline.parameterCount();
    this.base = ModelState.of(0, new float[params], new float[0]);
    SplittableRandom values = new SplittableRandom(seed);
    for (int i = 0; i < cluster.size(); i++) {
      float[] delta = new float[params];
      for (int j = 0; j < params; j++) {
        delta[j] = (float) (values.nextGaussian() * 1e-3);
      }
      updates.add(new LocalUpdate(delta, 100 + values.nextInt(900), 0.5));
    }
  }

  Outcome plain() throws Exception {
    Attempt a = start(false);
    a.relayKeys();
    a.awaitPhase(AttemptSession.Phase.WAITING_FOR_UPDATE);
    long start = System.nanoTime();
    a.handOverUpdates();
    return a.finish(start);
  }

  /**
   * Secure aggregation as a round runs it: keys made, signed, relayed and verified, and masks generated, while
   * the members would still train (before the timer); then the timed part. {@link #lastPreparation} holds how
   * long the untimed preparation took.
   */
  Outcome secure() throws Exception {
    long prepared = System.nanoTime();
    Attempt a = start(true);
    a.relayKeys();
    a.awaitPhase(AttemptSession.Phase.WAITING_FOR_UPDATE);
    lastPreparation = (System.nanoTime() - prepared) / 1e9;
    long start = System.nanoTime();
    a.handOverUpdates();
    return a.finish(start);
  }

  /** Nothing prepared: timed from the updates being ready through keys, signatures, verification and masks. */
  Outcome secureCold() throws Exception {
    long start = System.nanoTime();
    Attempt a = start(true);
    a.handOverUpdates();
    a.relayKeys();
    return a.finish(start);
  }

  /**
   * The central-server baseline over the same members and links: each member encodes its update with the shipped
   * pipeline, member 0 sums every vector and sends the sum back ({@link StarEndpoint}), each decodes and applies it
   * with the shipped pipeline. Timed like {@link #plain()}, from the updates being handed over.
   */
  Outcome star() throws Exception {
    AttemptId id = AttemptId.fresh(++round, 1, random);
    int n = cluster.size();
    List<CompletableFuture<AggregationPipeline.Applied>> applied = new ArrayList<>();
    List<CompletableFuture<StarEndpoint.Done>> done = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      int me = i;
      List<ActorRef<AllReduceProtocol.Command>> members = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        members.add(cluster.starSeenFrom(i, j));
      }
      CompletableFuture<StarEndpoint.Done> sum = new CompletableFuture<>();
      done.add(sum);
      CompletableFuture.supplyAsync(() -> pipeline.encodeMasked(updates.get(me), new AggregationPipeline.Unmasked()),
              cluster.cryptoExecutor(i))
          .thenAccept(vector -> cluster.starSeenFrom(me, me).tell(new StarEndpoint.Start(id, members, me, vector,
              sum)))
          .exceptionally(e -> {
            sum.completeExceptionally(e);
            return null;
          });
      applied.add(sum.thenApplyAsync(d -> pipeline.decodeAndApply(d.sum(), base), cluster.cryptoExecutor(i)));
    }
    CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    List<StarEndpoint.Done> sums = done.stream().map(CompletableFuture::join).toList();
    double exchange = (sums.stream().mapToLong(StarEndpoint.Done::doneNanos).max().orElseThrow()
        - sums.stream().mapToLong(StarEndpoint.Done::startNanos).min().orElseThrow()) / 1e9;
    return new Outcome(seconds, exchange, applied.stream().map(CompletableFuture::join).toList(),
        done.stream().mapToLong(d -> d.join().bytesSent()).toArray(),
        done.stream().mapToLong(d -> d.join().bytesReceived()).toArray());
  }

  double lastPreparation() {
    return lastPreparation;
  }

  /** The sample-weighted mean of the plaintext updates, in doubles: what decoding must give back. */
  double[] expectedMean() {
    double[] mean = new double[pipeline.parameterCount()];
    long total = 0;
    for (LocalUpdate u : updates) {
      total += u.samples();
      for (int j = 0; j < mean.length; j++) {
        mean[j] += u.samples() * (double) u.delta()[j];
      }
    }
    for (int j = 0; j < mean.length; j++) {
      mean[j] /= total;
    }
    return mean;
  }

  /** Largest error decoding may add: half a fixed-point unit per member, shared out over the total samples. */
  double tolerance(int fractionalBits) {
    long total = updates.stream().mapToLong(LocalUpdate::samples).sum();
    return updates.size() * 0.5 / Math.scalb(1.0, fractionalBits) / total + 1e-12;
  }

  /** Starts a session on every member, each seeing the ring through its own (remote) refs. */
  private Attempt start(boolean secure) throws Exception {
    AttemptId id = AttemptId.fresh(++round, 1, random);
    int n = cluster.size();
    List<CompletableFuture<Ready>> ready = new ArrayList<>();
    List<CompletableFuture<AttemptSession.Aggregated>> results = new ArrayList<>();
    List<ActorRef<AttemptSession.Command>> sessions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<RingMember> ring = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        ring.add(new RingMember(identities.get(j).nodeId(), cluster.participantSeenFrom(i, j),
            cluster.endpointSeenFrom(i, j)));
      }
      CompletableFuture<Ready> isReady = new CompletableFuture<>();
      CompletableFuture<AttemptSession.Aggregated> result = new CompletableFuture<>();
      ready.add(isReady);
      results.add(result);
      StartRound start = new StartRound(id, ring, base.hash(), secure, Map.of(), coordinator(i, isReady));
      AttemptSession.Setup setup = new AttemptSession.Setup(identities.get(i).nodeId(), identities.get(i), start,
          i, base, pipeline, cluster.endpoint(i), cluster.cryptoExecutor(i), participant(i, result),
          ControlSeals.of(cluster.system(i), identities.get(i)));
      sessions.add(AskPattern.<SessionHost.Command, ActorRef<AttemptSession.Command>>ask(cluster.system(i),
              replyTo -> new SessionHost.Spawn(setup, "bench-attempt-" + names.incrementAndGet(), replyTo),
              TIMEOUT, cluster.system(i).scheduler())
          .toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    }
    return new Attempt(id, ready, results, sessions, ringBytesReceived());
  }

  /** Plays the coordinator for member {@code i}: takes its Ready, and stops at its Contributed (its last word). */
  private ActorRef<CoordinatorCommand> coordinator(int i, CompletableFuture<Ready> ready) {
    return cluster.system(i).systemActorOf(Behaviors.receive(CoordinatorCommand.class)
        .onMessage(Ready.class, m -> {
          ready.complete(m);
          return Behaviors.same();
        })
        .onMessage(Contributed.class, m -> Behaviors.stopped())
        .build(), "bench-coordinator-" + names.incrementAndGet(), Props.empty());
  }

  /** Plays the participant for member {@code i}: takes the session's result. */
  private ActorRef<AttemptSession.Outcome> participant(int i, CompletableFuture<AttemptSession.Aggregated> done) {
    return cluster.system(i).systemActorOf(Behaviors.receive(AttemptSession.Outcome.class)
        .onMessage(AttemptSession.Aggregated.class, m -> {
          done.complete(m);
          return Behaviors.stopped();
        })
        .onMessage(AttemptSession.Failed.class, m -> {
          done.completeExceptionally(new IllegalStateException(m.reason()));
          return Behaviors.stopped();
        })
        .build(), "bench-participant-" + names.incrementAndGet(), Props.empty());
  }

  private long[] ringBytesReceived() {
    long[] received = new long[cluster.size()];
    for (int i = 0; i < received.length; i++) {
      received[i] = cluster.ringBytesReceived(i);
    }
    return received;
  }

  private final class Attempt {
    final AttemptId id;
    final long[] receivedBefore;
    final List<CompletableFuture<Ready>> ready;
    final List<CompletableFuture<AttemptSession.Aggregated>> results;
    final List<ActorRef<AttemptSession.Command>> sessions;

    Attempt(AttemptId id, List<CompletableFuture<Ready>> ready,
            List<CompletableFuture<AttemptSession.Aggregated>> results, List<ActorRef<AttemptSession.Command>> sessions,
            long[] receivedBefore) {
      this.id = id;
      this.receivedBefore = receivedBefore;
      this.ready = ready;
      this.results = results;
      this.sessions = sessions;
    }

    /** Once every member is ready: the go, with every signed key in ring order, as the coordinator sends it. */
    void relayKeys() throws Exception {
      CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      List<KeyAdvert> keys = ready.stream().map(CompletableFuture::join).map(Ready::key)
          .filter(java.util.Objects::nonNull).toList();
      RoundKeys go = new RoundKeys(id, keys);
      sessions.forEach(s -> s.tell(new AttemptSession.Keys(go)));
    }

    void handOverUpdates() {
      for (int i = 0; i < sessions.size(); i++) {
        sessions.get(i).tell(new AttemptSession.UpdateReady(updates.get(i)));
      }
    }

    /** Asks each session its step until all have reached {@code phase} (masks made, waiting for the update). */
    void awaitPhase(AttemptSession.Phase phase) throws Exception {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      for (int i = 0; i < sessions.size(); i++) {
        ActorRef<AttemptSession.Command> session = sessions.get(i);
        while (AskPattern.<AttemptSession.Command, AttemptSession.Phase>ask(session,
                AttemptSession.ReportPhase::new, TIMEOUT, cluster.system(i).scheduler())
            .toCompletableFuture().get() != phase) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("member " + i + " did not reach " + phase);
          }
          Thread.sleep(1);
        }
      }
    }

    Outcome finish(long startNanos) throws Exception {
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      for (int i = 0; i < sessions.size(); i++) {
        cluster.system(i).tell(new SessionHost.Stop(sessions.get(i)));
      }
      List<AttemptSession.Aggregated> done = results.stream().map(CompletableFuture::join).toList();
      // Every member completed only once all its pieces had come in: the counters hold this attempt's whole take.
      long[] received = ringBytesReceived();
      for (int i = 0; i < received.length; i++) {
        received[i] -= receivedBefore[i];
      }
      double ring = cluster.ringWindow().seconds(id, sessions.size());
      return new Outcome(seconds, ring, done.stream().map(AttemptSession.Aggregated::applied).toList(),
          done.stream().mapToLong(AttemptSession.Aggregated::bytesSent).toArray(), received);
    }
  }
}
