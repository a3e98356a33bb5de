package org.fedmesh.protocols;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Binary Pekko serializer for {@link VectorMessage}s: a fixed header and the numbers as raw little-endian words.
 * Writing straight into Artery's buffer ({@link ByteBufferSerializer}) avoids one copy of every chunk.
 */
public final class VectorSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {
  /** Pekko reserves 0-40; any fixed number above is ours. */
  public static final int IDENTIFIER = 7_301;
  private static final String CHUNK = "C";
  private static final String MODEL_PART = "M";
  private static final int ATTEMPT_BYTES = 8 + 4 + 8 + 8;
  private static final int CHUNK_HEADER = ATTEMPT_BYTES + 1 + 4 + 4 + 4 + 4 + 1;
  private static final int MODEL_PART_HEADER = 8 + 4 + 4 + 4 + 4;
  private static final AllReduceProtocol.Phase[] PHASES = AllReduceProtocol.Phase.values();

  /** Bytes of header a message carries besides its values, with room to spare for Artery's envelope. */
  private static int overheadBytes() {
    return Math.max(CHUNK_HEADER + AllReduceProtocol.MAX_MAC_BYTES, MODEL_PART_HEADER) + 64;
  }

  /** How many longs an all-reduce piece may carry so that its message stays within {@code messageBytes}. */
  public static int longsPerMessage(int messageBytes) {
    return (messageBytes - overheadBytes()) / 8;
  }

  /** How many floats a model part may carry so that its message stays within {@code messageBytes}. */
  public static int floatsPerMessage(int messageBytes) {
    return (messageBytes - overheadBytes()) / 4;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof AllReduceProtocol.Chunk) {
      return CHUNK;
    }
    if (o instanceof CatchUpProtocol.ModelPart) {
      return MODEL_PART;
    }
    throw new IllegalArgumentException("not a vector message: " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    ByteBuffer buffer = ByteBuffer.allocate(sizeOf(o));
    toBinary(o, buffer);
    return buffer.array();
  }

  @Override
  public void toBinary(Object o, ByteBuffer buffer) {
    ByteOrder original = buffer.order();
    buffer.order(ByteOrder.LITTLE_ENDIAN);
    try {
      if (o instanceof AllReduceProtocol.Chunk c) {
        writeAttempt(buffer, c.attempt());
        buffer.put((byte) c.phase().ordinal());
        buffer.putInt(c.step());
        buffer.putInt(c.senderIndex());
        buffer.putInt(c.offset());
        buffer.put((byte) c.mac().length);
        buffer.put(c.mac());
        buffer.putInt(c.values().length);
        buffer.asLongBuffer().put(c.values());
        buffer.position(buffer.position() + 8 * c.values().length);
      } else if (o instanceof CatchUpProtocol.ModelPart p) {
        buffer.putLong(p.round());
        buffer.putInt(p.part());
        buffer.putInt(p.parts());
        buffer.putInt(p.offset());
        buffer.putInt(p.values().length);
        buffer.asFloatBuffer().put(p.values());
        buffer.position(buffer.position() + 4 * p.values().length);
      } else {
        throw new IllegalArgumentException("not a vector message: " + o.getClass().getName());
      }
    } finally {
      buffer.order(original);
    }
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    return fromBinary(ByteBuffer.wrap(bytes), manifest);
  }

  @Override
  public Object fromBinary(ByteBuffer buffer, String manifest) throws NotSerializableException {
    ByteOrder original = buffer.order();
    buffer.order(ByteOrder.LITTLE_ENDIAN);
    try {
      switch (manifest) {
        case CHUNK: {
          AttemptId attempt = readAttempt(buffer);
          int phase = buffer.get();
          if (phase < 0 || phase >= PHASES.length) {
            throw new NotSerializableException("vector chunk with unknown phase " + phase);
          }
          int step = buffer.getInt();
          int sender = buffer.getInt();
          int offset = buffer.getInt();
          int macLength = Byte.toUnsignedInt(buffer.get());
          if (macLength > AllReduceProtocol.MAX_MAC_BYTES) {
            throw new NotSerializableException("vector chunk with a MAC of " + macLength + " bytes");
          }
          byte[] mac = new byte[macLength];
          buffer.get(mac);
          long[] values = new long[checkedLength(buffer, 8)];
          buffer.asLongBuffer().get(values);
          buffer.position(buffer.position() + 8 * values.length);
          return new AllReduceProtocol.Chunk(attempt, PHASES[phase], step, sender, offset, values, mac);
        }
        case MODEL_PART: {
          long round = buffer.getLong();
          int part = buffer.getInt();
          int parts = buffer.getInt();
          int offset = buffer.getInt();
          float[] values = new float[checkedLength(buffer, 4)];
          buffer.asFloatBuffer().get(values);
          buffer.position(buffer.position() + 4 * values.length);
          return new CatchUpProtocol.ModelPart(round, part, parts, offset, values);
        }
        default:
          throw new NotSerializableException("unknown vector message manifest '" + manifest + "'");
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw new NotSerializableException("truncated vector message (manifest '" + manifest + "')");
    } finally {
      buffer.order(original);
    }
  }

  private static int sizeOf(Object o) {
    if (o instanceof AllReduceProtocol.Chunk c) {
      return CHUNK_HEADER + c.mac().length + 8 * c.values().length;
    }
    if (o instanceof CatchUpProtocol.ModelPart p) {
      return MODEL_PART_HEADER + 4 * p.values().length;
    }
    throw new IllegalArgumentException("not a vector message: " + o.getClass().getName());
  }

  /** A length field that promises more than the buffer holds is refused before anything is allocated. */
  private static int checkedLength(ByteBuffer buffer, int wordBytes) throws NotSerializableException {
    int length = buffer.getInt();
    if (length < 0 || (long) length * wordBytes > buffer.remaining()) {
      throw new NotSerializableException("vector message claims " + length + " values but carries "
          + buffer.remaining() / wordBytes);
    }
    return length;
  }

  private static void writeAttempt(ByteBuffer buffer, AttemptId id) {
    buffer.putLong(id.round());
    buffer.putInt(id.attempt());
    buffer.putLong(id.nonceHigh());
    buffer.putLong(id.nonceLow());
  }

  private static AttemptId readAttempt(ByteBuffer buffer) {
    return new AttemptId(buffer.getLong(), buffer.getInt(), buffer.getLong(), buffer.getLong());
  }
}
