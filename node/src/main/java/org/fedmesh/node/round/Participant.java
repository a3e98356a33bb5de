package org.fedmesh.node.round;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.fedmesh.gossip.RingAllReduce;
import org.fedmesh.mpc.DecodedSum;
import org.fedmesh.mpc.KeyVerificationException;
import org.fedmesh.mpc.LongVectors;
import org.fedmesh.mpc.WeightedUpdateCodec;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.node.SharedSettings;
import org.fedmesh.node.checkpoint.CheckpointStore;
import org.fedmesh.node.secure.AttemptSecrets;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AttemptId;
import org.fedmesh.protocols.CatchUpProtocol.CatchUp;
import org.fedmesh.protocols.CatchUpProtocol.FetchModel;
import org.fedmesh.protocols.CatchUpProtocol.ModelPart;
import org.fedmesh.protocols.CatchUpProtocol.ModelUnavailable;
import org.fedmesh.protocols.RoundProtocol.AbortAttempt;
import org.fedmesh.protocols.RoundProtocol.Aggregated;
import org.fedmesh.protocols.RoundProtocol.AttemptFailed;
import org.fedmesh.protocols.RoundProtocol.CommitRound;
import org.fedmesh.protocols.RoundProtocol.Contributed;
import org.fedmesh.protocols.RoundProtocol.CoordinatorCommand;
import org.fedmesh.protocols.RoundProtocol.Ready;
import org.fedmesh.protocols.RoundProtocol.RingMember;
import org.fedmesh.protocols.RoundProtocol.MemberStatus;
import org.fedmesh.protocols.RoundProtocol.ParticipantCommand;
import org.fedmesh.protocols.RoundProtocol.QueryStatus;
import org.fedmesh.protocols.RoundProtocol.RoundCommitted;
import org.fedmesh.protocols.RoundProtocol.RoundKeys;
import org.fedmesh.protocols.RoundProtocol.StartRound;

/**
 * One member's side of every round. It holds the committed global model, trains on local data when a round
 * starts, encodes and masks its update, sums it with its peers through the ring, decodes and applies the sum,
 * and keeps the result pending until the coordinator commits it.
 *
 * <p>Training, masking and decoding run on their own dispatchers and come back as messages, so the actor never
 * blocks. Every message names its attempt; anything for an attempt other than the current one is dropped with a
 * log line. The update trained for a round is kept until the round commits: when an attempt is abandoned and
 * retried with the survivors, the retry costs one more all-reduce, not another training.
 */
public final class Participant extends AbstractBehavior<ParticipantCommand> {
  public static final ServiceKey<ParticipantCommand> KEY =
      ServiceKey.create(ParticipantCommand.class, "fedmesh-participant");

  /** What a participant needs besides its settings. */
  public record Setup(
      String nodeId,
      MemberIdentity identity,
      LocalUpdates updates,
      WeightedUpdateCodec codec,
      ServerOptimizer serverOptimizer,
      boolean secureRequired,
      boolean allowUnsafeTwoParty,
      Optional<CheckpointStore> checkpoints,
      ActorRef<AllReduceProtocol.Command> ring,
      int modelPartFloats,
      Map<String, String> sharedSettings,
      CommitListener listener) {}

  private record Trained(long round, String baseHash, LocalUpdates.LocalUpdate update, Throwable error)
      implements ParticipantCommand {}

  private record MasksReady(AttemptId attempt, long[] masks, Throwable error) implements ParticipantCommand {}

  private record VectorReady(AttemptId attempt, long[] vector, Throwable error) implements ParticipantCommand {}

  private record RingOutcome(RingAllReduce.Outcome outcome) implements ParticipantCommand {}

  private record Decoded(AttemptId attempt, ModelState next, DecodedSum sum, Throwable error)
      implements ParticipantCommand {}

  private record Saved(AttemptId attempt, ActorRef<CoordinatorCommand> coordinator, ModelState state,
                       Throwable error) implements ParticipantCommand {}

  /** The attempt this member is working on. */
  private static final class Attempt {
    final StartRound start;
    final int myIndex;
    AttemptSecrets secrets;
    Map<String, byte[]> peerKeys;
    long[] masks;
    boolean masksInFlight;
    LocalUpdates.LocalUpdate update;
    long updateReadyNanos;
    boolean vectorRequested;

    Attempt(StartRound start, int myIndex) {
      this.start = start;
      this.myIndex = myIndex;
    }

    AttemptId id() {
      return start.attempt();
    }

    ActorRef<CoordinatorCommand> coordinator() {
      return start.coordinator();
    }

    List<String> nodeIds() {
      return start.ring().stream().map(p -> p.nodeId()).toList();
    }
  }

  private record Pending(AttemptId attempt, ModelState state, double meanLoss) {}

  /** A committed model arriving from a peer in parts; checked against the hash the coordinator named. */
  private static final class ModelFetch {
    final long round;
    final String hash;
    ActorRef<CoordinatorCommand> replyTo;
    final float[] state;
    final java.util.BitSet received = new java.util.BitSet();
    int sourceIndex;

    ModelFetch(long round, String hash, int length) {
      this.round = round;
      this.hash = hash;
      this.state = new float[length];
    }
  }

  private record Cached(long round, String baseHash, LocalUpdates.LocalUpdate update) {}

  private final Setup setup;
  private final Executor training;
  private final Executor crypto;
  private final Executor blocking;
  private final ActorRef<RingAllReduce.Outcome> ringReplies;
  private final SecureRandom random = new SecureRandom();
  private final int parameterCount;

  private ModelState committed;
  private Attempt current;
  private Pending pending;
  private Cached cached;
  /** Round and base hash being trained right now, so a retried attempt does not start a second training. */
  private String trainingFor;
  /** The latest uncommitted attempt of which this member holds part of the sum (see MemberStatus). */
  private AttemptId revealedAttempt;
  /** The committed model being fetched from a peer, while catching up. */
  private ModelFetch fetch;

  public static Behavior<ParticipantCommand> create(Setup setup, ModelState initial) {
    return Behaviors.setup(context -> new Participant(context, setup, initial));
  }

  private Participant(ActorContext<ParticipantCommand> context, Setup setup, ModelState initial) {
    super(context);
    this.setup = setup;
    this.committed = initial;
    this.parameterCount = setup.updates().parameterCount();
    this.training = context.getSystem().dispatchers()
        .lookup(DispatcherSelector.fromConfig("fedmesh.training-dispatcher"));
    this.crypto = context.getSystem().dispatchers()
        .lookup(DispatcherSelector.fromConfig("fedmesh.crypto-dispatcher"));
    this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    this.ringReplies = context.messageAdapter(RingAllReduce.Outcome.class, RingOutcome::new);
    context.getLog().info("Participant {} holds {}", setup.nodeId(), initial);
  }

  @Override
  public Receive<ParticipantCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(QueryStatus.class, this::onQueryStatus)
        .onMessage(StartRound.class, this::onStartRound)
        .onMessage(Trained.class, this::onTrained)
        .onMessage(RoundKeys.class, this::onRoundKeys)
        .onMessage(MasksReady.class, this::onMasksReady)
        .onMessage(VectorReady.class, this::onVectorReady)
        .onMessage(RingOutcome.class, this::onRingOutcome)
        .onMessage(Decoded.class, this::onDecoded)
        .onMessage(CommitRound.class, this::onCommitRound)
        .onMessage(Saved.class, this::onSaved)
        .onMessage(AbortAttempt.class, this::onAbortAttempt)
        .onMessage(CatchUp.class, this::onCatchUp)
        .onMessage(FetchModel.class, this::onFetchModel)
        .onMessage(ModelPart.class, this::onModelPart)
        .onMessage(ModelUnavailable.class, this::onModelUnavailable)
        .build();
  }

  private RingMember me() {
    return new RingMember(setup.nodeId(), getContext().getSelf(), setup.ring());
  }

  private Behavior<ParticipantCommand> onQueryStatus(QueryStatus query) {
    query.replyTo().tell(new MemberStatus(me(), committed.round(), committed.hash(),
        pending == null ? null : pending.attempt(), pending == null ? null : pending.state().hash(),
        revealedAttempt));
    return this;
  }

  private Behavior<ParticipantCommand> onStartRound(StartRound start) {
    AttemptId id = start.attempt();
    int myIndex = indexOfMe(start);
    if (myIndex < 0) {
      getContext().getLog().warn("Ignored StartRound for {}: {} is not in its ring", id, setup.nodeId());
      return this;
    }
    String refusal = refusalOf(start);
    if (refusal != null) {
      getContext().getLog().warn("Refused {}: {}", id, refusal);
      start.coordinator().tell(new AttemptFailed(id, setup.nodeId(), refusal));
      return this;
    }
    abandonCurrent();
    pending = null; // a new attempt means the previous one was not committed
    current = new Attempt(start, myIndex);
    int length = setup.codec().vectorLength(parameterCount);
    setup.ring().tell(new RingAllReduce.Expect(id, start.ring().size(), myIndex, length));
    if (start.secure()) {
      current.secrets = AttemptSecrets.create(setup.identity(), id, random);
    }
    // Only after the ring endpoint expects this attempt: no peer sends before every participant is ready.
    start.coordinator().tell(new Ready(id, setup.nodeId(), start.secure() ? current.secrets.advert() : null));
    if (start.retrain() && cached != null) {
      getContext().getLog().info("{}: training again: part of an abandoned attempt's sum is known", id);
      cached = null;
    }
    if (cached != null && cached.round() == id.round() && cached.baseHash().equals(committed.hash())) {
      current.update = cached.update();
      current.updateReadyNanos = System.nanoTime();
      getContext().getLog().info("{}: reusing the update trained for round {}", id, id.round());
    } else if (!(id.round() + "/" + committed.hash()).equals(trainingFor)) {
      startTraining(id.round());
    }
    proceedIfReady();
    return this;
  }

  /** Why this member must not take part in the attempt, or null. */
  private String refusalOf(StartRound start) {
    long round = start.attempt().round();
    if (round != committed.round() + 1 || !start.baseModelHash().equals(committed.hash())) {
      return "it starts from round " + (round - 1) + " (" + abbreviate(start.baseModelHash()) + ") but "
          + setup.nodeId() + " holds round " + committed.round() + " (" + committed.shortHash() + ")";
    }
    if (!start.secure() && setup.secureRequired()) {
      return setup.nodeId() + " requires secure aggregation and the round is not secure";
    }
    if (start.secure() && start.ring().size() < 3 && !setup.allowUnsafeTwoParty()) {
      return "secure aggregation needs at least 3 participants (with " + start.ring().size()
          + ", the sum reveals each member's update to the other); allow it only with the unsafe flag";
    }
    List<String> differing = SharedSettings.differingKeys(setup.sharedSettings(), start.sharedSettings());
    if (!differing.isEmpty()) {
      return setup.nodeId() + " is configured differently from the coordinator's host in " + differing
          + "; these settings must be equal on every member";
    }
    long distinct = start.ring().stream().map(p -> p.nodeId()).distinct().count();
    if (distinct != start.ring().size()) {
      return "the ring names a member twice";
    }
    return null;
  }

  private int indexOfMe(StartRound start) {
    for (int i = 0; i < start.ring().size(); i++) {
      var p = start.ring().get(i);
      if (p.nodeId().equals(setup.nodeId()) && p.participant().equals(getContext().getSelf())) {
        return i;
      }
    }
    return -1;
  }

  private void startTraining(long round) {
    String baseHash = committed.hash();
    float[] global = committed.parameters();
    trainingFor = round + "/" + baseHash;
    getContext().getLog().debug("Training for round {}", round);
    runAsync(training, () -> setup.updates().train(global, round),
        (update, error) -> new Trained(round, baseHash, update, error));
  }

  private Behavior<ParticipantCommand> onTrained(Trained trained) {
    trainingFor = null;
    if (trained.round() != committed.round() + 1 || !trained.baseHash().equals(committed.hash())) {
      return this; // the round committed without us meanwhile
    }
    if (trained.error() != null) {
      getContext().getLog().error("Local training for round {} failed", trained.round(), trained.error());
      if (current != null && current.id().round() == trained.round()) {
        fail(current, "local training failed: " + trained.error().getMessage());
      }
      return this;
    }
    cached = new Cached(trained.round(), trained.baseHash(), trained.update());
    if (current != null && current.id().round() == trained.round()) {
      current.update = trained.update();
      current.updateReadyNanos = System.nanoTime();
      proceedIfReady();
    }
    return this;
  }

  private Behavior<ParticipantCommand> onRoundKeys(RoundKeys keys) {
    Attempt a = current;
    if (a == null || !a.id().equals(keys.attempt()) || a.peerKeys != null) {
      getContext().getLog().warn("Dropped keys for {}: not expected now (current: {})", keys.attempt(),
          a == null ? "none" : a.id());
      return this;
    }
    if (!a.start.secure()) {
      a.peerKeys = Map.of(); // a plain round: the go signal carries no keys
      proceedIfReady();
      return this;
    }
    try {
      a.peerKeys = a.secrets.verifyPeers(keys.keys(), a.nodeIds(), Instant.now());
    } catch (KeyVerificationException e) {
      getContext().getLog().error("Aborting {}: the key of {} does not verify: {}", a.id(), e.nodeId(),
          e.getMessage());
      fail(a, "the key of " + e.nodeId() + " does not verify: " + e.getMessage());
      return this;
    }
    if (a.update == null) {
      // Training is still running: make the masks now, off the round's critical path.
      int length = setup.codec().vectorLength(parameterCount);
      AttemptSecrets secrets = a.secrets;
      Map<String, byte[]> peers = a.peerKeys;
      a.masksInFlight = true;
      runAsync(crypto, () -> secrets.masks(length, peers), (masks, error) -> new MasksReady(a.id(), masks, error));
    }
    proceedIfReady();
    return this;
  }

  private Behavior<ParticipantCommand> onMasksReady(MasksReady ready) {
    Attempt a = current;
    if (a == null || !a.id().equals(ready.attempt())) {
      return this;
    }
    if (ready.error() != null) {
      getContext().getLog().error("Masking failed for {}", a.id(), ready.error());
      fail(a, "masking failed: " + ready.error().getMessage());
      return this;
    }
    a.masks = ready.masks();
    a.masksInFlight = false;
    proceedIfReady();
    return this;
  }

  /**
   * Encodes and masks the update once it and the go signal (in a secure round: the verified peer keys) are at
   * hand: with the masks made during training if there are, else straight into the encoding.
   */
  private void proceedIfReady() {
    Attempt a = current;
    if (a == null || a.vectorRequested || a.update == null || a.masksInFlight || a.peerKeys == null) {
      return;
    }
    a.vectorRequested = true;
    LocalUpdates.LocalUpdate update = a.update;
    long[] masks = a.masks;
    AttemptSecrets secrets = a.start.secure() ? a.secrets : null;
    Map<String, byte[]> peers = a.peerKeys;
    runAsync(crypto, () -> {
      long[] vector = setup.codec().encode(update.delta(), update.samples(), update.meanLoss()).vector();
      if (masks != null) {
        LongVectors.addInPlace(vector, masks);
      } else if (secrets != null) {
        secrets.addMasks(vector, peers);
      }
      return vector;
    }, (vector, error) -> new VectorReady(a.id(), vector, error));
  }

  private Behavior<ParticipantCommand> onVectorReady(VectorReady ready) {
    Attempt a = current;
    if (a == null || !a.id().equals(ready.attempt())) {
      return this;
    }
    if (ready.error() != null) {
      // NaN, infinity or an out-of-bound update: refused before anything left this node.
      getContext().getLog().error("Refusing to send the update for {}: {}", a.id(), ready.error().getMessage());
      fail(a, "update refused: " + ready.error().getMessage());
      return this;
    }
    List<ActorRef<AllReduceProtocol.Command>> ring = a.start.ring().stream().map(p -> p.ring()).toList();
    setup.ring().tell(new RingAllReduce.Start(a.id(), ring, a.myIndex, ready.vector(), ringReplies));
    a.coordinator().tell(new Contributed(a.id(), setup.nodeId()));
    return this;
  }

  private Behavior<ParticipantCommand> onRingOutcome(RingOutcome outcome) {
    if (outcome.outcome() instanceof RingAllReduce.SumRevealed revealed) {
      revealedAttempt = revealed.attempt();
      return this;
    }
    Attempt a = current;
    RingAllReduce.Completed done = (RingAllReduce.Completed) outcome.outcome();
    if (a == null || !a.id().equals(done.attempt())) {
      return this;
    }
    ModelState base = committed;
    runAsync(crypto, () -> setup.codec().decode(done.sum(), parameterCount), (sum, error) -> {
      if (error != null) {
        return new Decoded(a.id(), null, null, error);
      }
      return new Decoded(a.id(), setup.serverOptimizer().apply(base, sum.meanDelta()), sum, null);
    });
    return this;
  }

  private Behavior<ParticipantCommand> onDecoded(Decoded decoded) {
    Attempt a = current;
    if (a == null || !a.id().equals(decoded.attempt())) {
      return this;
    }
    if (decoded.error() != null) {
      getContext().getLog().error("The sum for {} does not decode: {}", a.id(), decoded.error().getMessage());
      fail(a, "the sum does not decode: " + decoded.error().getMessage());
      return this;
    }
    pending = new Pending(a.id(), decoded.next(), decoded.sum().meanLoss());
    long nanos = System.nanoTime() - a.updateReadyNanos;
    a.coordinator().tell(new Aggregated(a.id(), setup.nodeId(), decoded.next().hash(), decoded.sum().meanLoss(),
        decoded.sum().totalSamples(), nanos));
    return this;
  }

  private Behavior<ParticipantCommand> onCommitRound(CommitRound commit) {
    if (pending != null && pending.attempt().equals(commit.attempt())
        && pending.state().hash().equals(commit.modelHash())) {
      ModelState next = pending.state();
      double loss = pending.meanLoss();
      adopt(next);
      getContext().getLog().info("Committed round {} ({}), mean training loss {}", next.round(), next.shortHash(),
          String.format("%.4f", loss));
      setup.listener().committed(setup.nodeId(), next, loss);
      saveCheckpoint(commit.attempt(), commit.replyTo(), next);
    } else if (commit.attempt().round() == committed.round() && commit.modelHash().equals(committed.hash())) {
      // A coordinator that took over re-sends commits it cannot know were applied: acknowledge again.
      commit.replyTo().tell(new RoundCommitted(commit.attempt(), setup.nodeId(), committed.hash()));
    } else {
      getContext().getLog().warn("Ignored a commit for {} ({}): this node holds no such pending model",
          commit.attempt(), abbreviate(commit.modelHash()));
    }
    return this;
  }

  /** Makes {@code next} the committed model; whatever was in flight for older rounds is void. */
  private void adopt(ModelState next) {
    abandonCurrent();
    committed = next;
    pending = null;
    cached = null;
    revealedAttempt = null;
    fetch = null;
  }

  private void saveCheckpoint(AttemptId attempt, ActorRef<CoordinatorCommand> coordinator, ModelState state) {
    if (setup.checkpoints().isEmpty()) {
      // Nothing to write: acknowledge through the mailbox, like a finished write.
      getContext().getSelf().tell(new Saved(attempt, coordinator, state, null));
      return;
    }
    CheckpointStore store = setup.checkpoints().get();
    CheckpointStore.Source source = attempt == null ? CheckpointStore.Source.CATCH_UP : CheckpointStore.Source.COMMIT;
    runAsync(blocking, () -> {
      store.save(state, source);
      return state;
    }, (saved, error) -> new Saved(attempt, coordinator, state, error));
  }

  private Behavior<ParticipantCommand> onSaved(Saved saved) {
    if (saved.error() != null) {
      getContext().getLog().error("Could not write the checkpoint of round {}", saved.state().round(),
          saved.error());
    }
    if (saved.coordinator() != null) { // null after catching up: nobody waits for it
      saved.coordinator().tell(new RoundCommitted(saved.attempt(), setup.nodeId(), saved.state().hash()));
    }
    return this;
  }

  private Behavior<ParticipantCommand> onAbortAttempt(AbortAttempt abort) {
    if (current != null && current.id().equals(abort.attempt())) {
      getContext().getLog().info("Abandoned {}: {}", abort.attempt(), abort.reason());
      abandonCurrent();
    }
    if (pending != null && pending.attempt().equals(abort.attempt())) {
      pending = null;
    }
    return this;
  }

  // ---------------------------------------------------------------- catching up

  private Behavior<ParticipantCommand> onCatchUp(CatchUp catchUp) {
    if (catchUp.round() <= committed.round() || catchUp.sources().isEmpty()) {
      return this;
    }
    if (fetch == null || fetch.round != catchUp.round() || !fetch.hash.equals(catchUp.hash())) {
      getContext().getLog().info("Behind: holds round {}, fetching the model of round {} ({}) from a peer",
          committed.round(), catchUp.round(), abbreviate(catchUp.hash()));
      fetch = new ModelFetch(catchUp.round(), catchUp.hash(), committed.flatten().length);
    } else {
      fetch.sourceIndex++; // asked again: the previous source did not deliver; try the next one
    }
    fetch.replyTo = catchUp.replyTo();
    var source = catchUp.sources().get(Math.floorMod(fetch.sourceIndex, catchUp.sources().size()));
    source.tell(new FetchModel(catchUp.round(), getContext().getSelf()));
    return this;
  }

  private Behavior<ParticipantCommand> onFetchModel(FetchModel request) {
    if (request.round() != committed.round()) {
      request.replyTo().tell(new ModelUnavailable(request.round(), setup.nodeId(),
          "it holds round " + committed.round()));
      return this;
    }
    float[] state = committed.flatten();
    int partSize = setup.modelPartFloats();
    int parts = Math.max(1, (state.length + partSize - 1) / partSize);
    for (int p = 0; p < parts; p++) {
      int from = p * partSize;
      float[] values = java.util.Arrays.copyOfRange(state, from, Math.min(state.length, from + partSize));
      request.replyTo().tell(new ModelPart(committed.round(), p, parts, from, values));
    }
    return this;
  }

  private Behavior<ParticipantCommand> onModelPart(ModelPart part) {
    ModelFetch f = fetch;
    if (f == null || part.round() != f.round || part.offset() < 0
        || part.offset() + part.values().length > f.state.length || part.parts() < 1) {
      return this; // not asked for, or does not fit: dropped
    }
    System.arraycopy(part.values(), 0, f.state, part.offset(), part.values().length);
    f.received.set(part.part());
    if (f.received.cardinality() < part.parts()) {
      return this;
    }
    ModelState fetched = ModelState.unflatten(f.round, f.state, parameterCount);
    if (!fetched.hash().equals(f.hash)) {
      getContext().getLog().warn("Refused the model of round {} from a peer: it hashes to {}, not {}", f.round,
          fetched.shortHash(), abbreviate(f.hash));
      fetch = null;
      return this;
    }
    ActorRef<CoordinatorCommand> replyTo = f.replyTo;
    adopt(fetched);
    getContext().getLog().info("Caught up: now holds round {} ({})", fetched.round(), fetched.shortHash());
    onQueryStatus(new QueryStatus(replyTo)); // the coordinator may wait for this member before the next round
    setup.listener().committed(setup.nodeId(), fetched, Double.NaN);
    saveCheckpoint(null, null, fetched);
    return this;
  }

  private Behavior<ParticipantCommand> onModelUnavailable(ModelUnavailable unavailable) {
    if (fetch != null && fetch.round == unavailable.round()) {
      getContext().getLog().info("{} cannot serve round {}: {}", unavailable.nodeId(), unavailable.round(),
          unavailable.reason());
      fetch = null; // the next survey names the round to fetch again
    }
    return this;
  }

  // ---------------------------------------------------------------- helpers

  private void fail(Attempt a, String reason) {
    a.coordinator().tell(new AttemptFailed(a.id(), setup.nodeId(), reason));
    abandonCurrent();
  }

  private void abandonCurrent() {
    if (current != null) {
      setup.ring().tell(new RingAllReduce.Cancel(current.id()));
      current = null;
    }
  }

  private static String abbreviate(String hash) {
    return hash == null ? "none" : hash.substring(0, Math.min(12, hash.length()));
  }

  /** Work that may throw, run on {@code executor}, its outcome piped back to this actor as a message. */
  private <T> void runAsync(Executor executor, ThrowingSupplier<T> work,
                            java.util.function.BiFunction<T, Throwable, ParticipantCommand> toMessage) {
    Supplier<T> unchecked = () -> {
      try {
        return work.get();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    };
    getContext().pipeToSelf(CompletableFuture.supplyAsync(unchecked, executor), (value, error) ->
        toMessage.apply(value, error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error));
  }

  @FunctionalInterface
  private interface ThrowingSupplier<T> {
    T get() throws Exception;
  }
}
