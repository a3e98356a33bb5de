package org.fedmesh.deploy.bench;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.mpc.DecodedSum;
import org.fedmesh.mpc.KeyVerificationException;
import org.fedmesh.mpc.LongVectors;
import org.fedmesh.mpc.WeightedUpdateCodec;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.secure.AttemptSecrets;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.RoundProtocol.KeyAdvert;

/**
 * Times one aggregation of D parameters over the bench cluster, plain or secure, with each member's work on its
 * own crypto dispatcher as in a round. Plain: encode, ring all-reduce, decode. Secure adds what a round adds:
 * a fresh signed ephemeral key per member, verification of every peer's key, the pairwise masks, and adding
 * them to the encoding. The timer runs from the members' updates being ready to every member holding the
 * decoded sum; {@link #secure()} and {@link #secureCold()} differ in whether keys and masks were made before.
 */
final class AggregationBenchmark {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final BenchCluster cluster;
  private final List<MemberIdentity> identities;
  private final WeightedUpdateCodec codec;
  private final float[][] deltas;
  private final long[] samples;
  private final SecureRandom random = new SecureRandom();
  private final List<String> ids;
  private List<CompletableFuture<AttemptSecrets>> secrets;
  private double lastPreparation;
  private final AtomicLong replies = new AtomicLong();
  private long round;

  /** One aggregation: its wall time, every member's decoded sum, and the payload bytes each member sent. */
  record Outcome(double seconds, List<long[]> sums, List<DecodedSum> decoded, long[] bytesSent) {}

  AggregationBenchmark(BenchCluster cluster, List<MemberIdentity> identities, WeightedUpdateCodec codec,
                       int params, long seed) {
    this.cluster = cluster;
    this.identities = identities;
    this.codec = codec;
    this.ids = identities.stream().map(MemberIdentity::nodeId).toList();
    SplittableRandom values = new SplittableRandom(seed);
    deltas = new float[cluster.size()][params];
    samples = new long[cluster.size()];
    for (int i = 0; i < cluster.size(); i++) {
      for (int j = 0; j < params; j++) {
        deltas[i][j] = (float) (values.nextGaussian() * 1e-3);
      }
      samples[i] = 100 + values.nextInt(900);
    }
  }

  Outcome plain() throws Exception {
    AttemptId attempt = nextAttempt();
    expectAll(attempt);
    long start = System.nanoTime();
    List<CompletableFuture<RingAllReduce.Completed>> sums = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      int member = i;
      sums.add(CompletableFuture.supplyAsync(() -> encode(member), cluster.cryptoExecutor(member))
          .thenCompose(vector -> allReduce(attempt, member, vector)));
    }
    return finish(start, sums);
  }

  /**
   * Secure aggregation as a round runs it: each member's key is made, signed, relayed and verified, and its
   * masks generated, while the members still train (before the timer here, as in a round before the update is
   * ready); then the timed part: encode, add the masks, all-reduce, decode. {@link #lastPreparation} holds how
   * long the untimed preparation took.
   */
  Outcome secure() throws Exception {
    AttemptId attempt = nextAttempt();
    expectAll(attempt);
    long prepared = System.nanoTime();
    List<CompletableFuture<long[]>> masks = new ArrayList<>();
    CompletableFuture<List<KeyAdvert>> adverts = keyExchange(attempt);
    for (int i = 0; i < cluster.size(); i++) {
      int member = i;
      masks.add(adverts.thenApplyAsync(keys -> secrets.get(member).join()
          .masks(codec.vectorLength(deltas[member].length), verified(member, keys)), cluster.cryptoExecutor(member)));
    }
    CompletableFuture.allOf(masks.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    lastPreparation = (System.nanoTime() - prepared) / 1e9;
    long start = System.nanoTime();
    List<CompletableFuture<RingAllReduce.Completed>> sums = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      int member = i;
      sums.add(CompletableFuture.supplyAsync(() -> {
        long[] vector = encode(member);
        LongVectors.addInPlace(vector, masks.get(member).join());
        return vector;
      }, cluster.cryptoExecutor(member)).thenCompose(vector -> allReduce(attempt, member, vector)));
    }
    return finish(start, sums);
  }

  /**
   * Secure aggregation with nothing prepared: the timer starts with the updates ready and covers key generation,
   * signatures, relay, verification of every peer's key, masks, encoding, all-reduce and decoding.
   */
  Outcome secureCold() throws Exception {
    AttemptId attempt = nextAttempt();
    expectAll(attempt);
    long start = System.nanoTime();
    CompletableFuture<List<KeyAdvert>> adverts = keyExchange(attempt);
    List<CompletableFuture<RingAllReduce.Completed>> sums = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      int member = i;
      sums.add(adverts.thenApplyAsync(keys -> {
        long[] masked = encode(member);
        secrets.get(member).join().addMasks(masked, verified(member, keys));
        return masked;
      }, cluster.cryptoExecutor(member)).thenCompose(vector -> allReduce(attempt, member, vector)));
    }
    return finish(start, sums);
  }

  /** Seconds the last {@link #secure()} spent on what a round does during training: keys and masks. */
  double lastPreparation() {
    return lastPreparation;
  }

  /** Every member makes and signs its key on its own dispatcher; the result is what the coordinator relays. */
  private CompletableFuture<List<KeyAdvert>> keyExchange(AttemptId attempt) {
    secrets = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      MemberIdentity identity = identities.get(i);
      secrets.add(CompletableFuture.supplyAsync(() -> AttemptSecrets.create(identity, attempt, random),
          cluster.cryptoExecutor(i)));
    }
    return CompletableFuture.allOf(secrets.toArray(CompletableFuture[]::new))
        .thenApply(done -> secrets.stream().map(s -> s.join().advert()).toList());
  }

  private Map<String, byte[]> verified(int member, List<KeyAdvert> keys) {
    try {
      return secrets.get(member).join().verifyPeers(keys, ids, Instant.now());
    } catch (KeyVerificationException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** The sample-weighted mean of the plaintext updates, in doubles: what decoding must give back. */
  double[] expectedMean() {
    int params = deltas[0].length;
    double[] mean = new double[params];
    long total = 0;
    for (int i = 0; i < deltas.length; i++) {
      total += samples[i];
      for (int j = 0; j < params; j++) {
        mean[j] += samples[i] * (double) deltas[i][j];
      }
    }
    for (int j = 0; j < params; j++) {
      mean[j] /= total;
    }
    return mean;
  }

  /** Largest error decoding may add: half a fixed-point unit per member, shared out over the total samples. */
  double tolerance() {
    long total = 0;
    for (long s : samples) {
      total += s;
    }
    return deltas.length * 0.5 / Math.scalb(1.0, codec.fractionalBits()) / total + 1e-12;
  }

  private long[] encode(int member) {
    return codec.encode(deltas[member], samples[member], 0.5).vector();
  }

  private CompletionStage<RingAllReduce.Completed> allReduce(AttemptId attempt, int member, long[] vector) {
    CompletableFuture<RingAllReduce.Completed> done = new CompletableFuture<>();
    // A one-off actor for the replies: the endpoint also reports when the sum becomes visible, before the end.
    ActorRef<RingAllReduce.Outcome> replyTo = cluster.system(member).systemActorOf(
        Behaviors.receive(RingAllReduce.Outcome.class)
            .onMessage(RingAllReduce.Completed.class, c -> {
              done.complete(c);
              return Behaviors.stopped();
            })
            .onAnyMessage(m -> Behaviors.same())
            .build(),
        "bench-reply-" + replies.incrementAndGet(), Props.empty());
    cluster.endpoint(member).tell(new RingAllReduce.Start(attempt, cluster.ringSeenFrom(member), member, vector,
        replyTo));
    return done.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private Outcome finish(long start, List<CompletableFuture<RingAllReduce.Completed>> completions)
      throws Exception {
    List<CompletableFuture<DecodedSum>> decoded = new ArrayList<>();
    for (int i = 0; i < completions.size(); i++) {
      decoded.add(completions.get(i).thenApplyAsync(c -> codec.decode(c.sum(), deltas[0].length),
          cluster.cryptoExecutor(i)));
    }
    CompletableFuture.allOf(decoded.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    List<long[]> sums = new ArrayList<>();
    long[] bytes = new long[completions.size()];
    for (int i = 0; i < completions.size(); i++) {
      RingAllReduce.Completed c = completions.get(i).join();
      sums.add(c.sum());
      bytes[i] = c.bytesSent();
    }
    return new Outcome(seconds, sums, decoded.stream().map(CompletableFuture::join).toList(), bytes);
  }

  private AttemptId nextAttempt() {
    return AttemptId.fresh(++round, 1, random);
  }

  private void expectAll(AttemptId attempt) {
    int length = codec.vectorLength(deltas[0].length);
    for (int i = 0; i < cluster.size(); i++) {
      cluster.endpoint(i).tell(new RingAllReduce.Expect(attempt, cluster.size(), i, length));
    }
  }
}
