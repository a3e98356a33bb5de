package org.fedmesh.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.NotSerializableException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every protocol message survives its configured serializer, and each goes through the serializer we intend. */
class SerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final AttemptId ATTEMPT = AttemptId.fresh(7, 2, new SecureRandom());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static Stream<Object> controlMessages() {
    ActorRef<RoundProtocol.ParticipantCommand> participant =
        testKit.<RoundProtocol.ParticipantCommand>createTestProbe().ref();
    ActorRef<RoundProtocol.CoordinatorCommand> coordinator =
        testKit.<RoundProtocol.CoordinatorCommand>createTestProbe().ref();
    ActorRef<AllReduceProtocol.Command> ring = testKit.<AllReduceProtocol.Command>createTestProbe().ref();
    RoundProtocol.RingMember member = new RoundProtocol.RingMember("site-a", participant, ring);
    RoundProtocol.KeyAdvert key = new RoundProtocol.KeyAdvert("site-a", new byte[] {1, 2, 3}, new byte[] {7, 7},
        new byte[] {4, 5}, new byte[] {6});
    RoundProtocol.ResultSignature signature = new RoundProtocol.ResultSignature(new byte[] {9, 8, 7});
    RoundProtocol.CommitProof certificate = new RoundProtocol.CommitProof(new byte[] {1, 0, -1});
    RoundProtocol.ControlSignature seal = new RoundProtocol.ControlSignature(new byte[] {5, 4, 3, 2});
    return Stream.of(
        seal,
        new RoundProtocol.StartRound(ATTEMPT, List.of(member), "ab12", true, Map.of(), coordinator)
            .withSeal(seal),
        new RoundProtocol.Ready(ATTEMPT, "site-a", key).withSeal(seal),
        new RoundProtocol.RoundKeys(ATTEMPT, List.of(key)).withSeal(seal),
        new RoundProtocol.Aggregated(ATTEMPT, "site-a", "ab12", 0.25, 1234, 5_000_000, signature,
            List.of(new RoundProtocol.Attestation(new byte[] {9, 8}))).withSeal(seal),
        new RoundProtocol.RecoverAttempt(ATTEMPT, List.of("site-c")).withSeal(seal),
        new RoundProtocol.AttemptFailed(ATTEMPT, "site-a", "refused").withSeal(seal),
        new RoundProtocol.Contributed(ATTEMPT, "site-a").withSeal(seal),
        new RoundProtocol.CommitRound(ATTEMPT, "ab12", certificate, coordinator).withSeal(seal),
        new RoundProtocol.RoundCommitted(ATTEMPT, "site-a", "ab12").withSeal(seal),
        new RoundProtocol.CommitFailed(ATTEMPT, "site-a", "disk full").withSeal(seal),
        new RoundProtocol.AbortAttempt(ATTEMPT, "deadline").withSeal(seal),
        new SelfMaskProtocol.PeerMessage(ATTEMPT, "site-b", SelfMaskProtocol.Kind.REVEAL, new byte[12],
            new byte[] {7, 7, 7}),
        new CatchUpProtocol.CatchUp(5, "ab12", List.of(participant), coordinator, certificate).withSeal(seal),
        ATTEMPT,
        signature,
        certificate,
        member,
        new RoundProtocol.StartRound(ATTEMPT, List.of(member, member), "ab12", true, Map.of("model.spec", "00ff"), coordinator),
        key,
        new RoundProtocol.Ready(ATTEMPT, "site-a", key),
        new RoundProtocol.Ready(ATTEMPT, "site-a", null),
        new RoundProtocol.RoundKeys(ATTEMPT, List.of(key, key)),
        new RoundProtocol.Aggregated(ATTEMPT, "site-a", "ab12", 0.25, 1234, 5_000_000, signature, List.of()),
        new RoundProtocol.AttemptFailed(ATTEMPT, "site-a", "key of site-b does not verify",
            RoundProtocol.FailureKind.OTHER),
        new RoundProtocol.AttemptFailed(ATTEMPT, "site-a", "total sample count -827 is outside [1, 1000]",
            RoundProtocol.FailureKind.UNDECODABLE_SUM),
        new RoundProtocol.Contributed(ATTEMPT, "site-a"),
        new RoundProtocol.CommitRound(ATTEMPT, "ab12", certificate, coordinator),
        new RoundProtocol.RoundCommitted(ATTEMPT, "site-a", "ab12"),
        new RoundProtocol.CommitFailed(ATTEMPT, "site-a", "checkpoint directory is read-only"),
        new RoundProtocol.AbortAttempt(ATTEMPT, "deadline"),
        new RoundProtocol.ReportRingLinks(ATTEMPT, coordinator),
        new RoundProtocol.RingLinks(ATTEMPT, "site-a", true, 3, 1, 1, "offset 5 is not a piece", 7, 2),
        new RoundProtocol.RingLinks(ATTEMPT, "site-a", false, 0, 0, 0, null, 0, 0),
        new RoundProtocol.QueryStatus(coordinator),
        new RoundProtocol.MemberStatus(member, 6, "ab12", certificate, ATTEMPT, "cd34", signature, ATTEMPT),
        new RoundProtocol.MemberStatus(member, 0, "ab12", null, null, null, null, null),
        new RoundProtocol.MemberStatus(member, 0, "ab12", null, null, null, null, null, ATTEMPT),
        new RoundProtocol.MemberStatus(member, 6, "ab12", certificate, ATTEMPT, "cd34", signature, ATTEMPT, ATTEMPT,
            List.of(new RoundProtocol.Attestation(new byte[] {4, 5, 6}), new RoundProtocol.Attestation(new byte[] {7})),
            List.of("site-a", "site-b", "site-c")),
        new CatchUpProtocol.CatchUp(5, "ab12", List.of(participant, participant), coordinator, certificate),
        new CatchUpProtocol.FetchModel(3, participant),
        new CatchUpProtocol.ModelUnavailable(3, "site-a", "not committed yet"));
  }

  static Stream<Object> vectorMessages() {
    return Stream.of(
        new AllReduceProtocol.Chunk(ATTEMPT, AllReduceProtocol.Phase.ALL_GATHER, 3, 1, 1000,
            new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE}),
        new AllReduceProtocol.Chunk(ATTEMPT, AllReduceProtocol.Phase.REDUCE_SCATTER, 2, 4, 64, new long[] {7, -7},
            new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
                27, 28, 29, 30, 31, (byte) 0xff}),
        new AllReduceProtocol.Chunk(ATTEMPT, AllReduceProtocol.Phase.REDUCE_SCATTER, 0, 0, 0, new long[0]),
        new CatchUpProtocol.ModelPart(9, 1, 3, 16, new float[] {Float.MIN_VALUE, -0f, 1.5f, Float.MAX_VALUE}));
  }

  @ParameterizedTest
  @MethodSource("controlMessages")
  void controlMessage_roundTrip_throughJacksonCbor(Object message) {
    assertSerializer(message, JacksonCborSerializer.class);
    testKit.serializationTestKit().verifySerialization(message, true);
  }

  @ParameterizedTest
  @MethodSource("vectorMessages")
  void vectorMessage_roundTrip_throughBinarySerializer(Object message) {
    assertSerializer(message, VectorSerializer.class);
    testKit.serializationTestKit().verifySerialization(message, true);
  }

  @Test
  void vectorMessage_truncated_isRefused() {
    VectorSerializer serializer = new VectorSerializer();
    byte[] bytes = serializer.toBinary(new AllReduceProtocol.Chunk(ATTEMPT, AllReduceProtocol.Phase.ALL_GATHER, 0,
        0, 0, new long[] {1, 2, 3}));
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 8);
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(truncated, "C"));
    assertTrue(e.getMessage().contains("claims 3 values"), e.getMessage());
  }

  @Test
  void javaSerialization_isOff() {
    assertEquals("off", testKit.system().settings().config().getString("pekko.actor.allow-java-serialization"));
  }

  private static void assertSerializer(Object message, Class<?> expected) {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    Serializer serializer = serialization.findSerializerFor(message);
    assertEquals(expected, serializer.getClass(), "serializer for " + message.getClass().getSimpleName());
    assertTrue(Serializers.manifestFor(serializer, message) != null);
  }
}
