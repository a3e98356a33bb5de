package org.fedmesh.node.checkpoint;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.fedmesh.node.round.ModelState;

/**
 * The last committed model of one member on disk. A save is atomic: write a temporary file, fsync it, rename it
 * over the old checkpoint, fsync the directory. A crash at any point leaves either the old or the new checkpoint,
 * never a torn one; the stored hash is checked on load, so a damaged file is refused rather than trained on.
 */
public final class CheckpointStore {
  private static final int MAGIC = 0x464D434B; // "FMCK"
  private static final int VERSION = 1;
  private static final String FILE = "model.ckpt";
  private static final String JOURNAL = "commits.jsonl";

  private final Path dir;

  public CheckpointStore(Path dir) {
    this.dir = dir;
  }

  public Path file() {
    return dir.resolve(FILE);
  }

  /** How a member came to hold a model, as the journal records it. */
  public enum Source { COMMIT, CATCH_UP }

  /** The journal: one JSON line per model this member adopted, with its commit certificate: an audit trail. */
  public Path journal() {
    return dir.resolve(JOURNAL);
  }

  /**
   * Whether this member has held a committed model before (a checkpoint or a journal line exists): it is then
   * rejoining a consortium that already exists, never forming a new one.
   */
  public boolean holdsHistory() {
    return Files.exists(file()) || Files.exists(journal());
  }

  public CommitJournal commits() {
    return new CommitJournal(journal());
  }

  /** Saves the checkpoint, then records it in the journal with {@code certificate}, its encoded proof. */
  public void save(ModelState state, Source source, byte[] certificate) throws IOException {
    save(state);
    commits().append(state, source, certificate);
  }

  /**
   * The commit certificate of {@code state}, from the journal's last line when that line is about it; empty when
   * it is not (a crash between the checkpoint and its journal line, or a journal from before certificates).
   */
  public Optional<byte[]> certificateOf(ModelState state) throws IOException {
    return commits().last().filter(e -> e.round() == state.round() && e.hash().equals(state.hash()))
        .map(CommitJournal.Entry::certificate);
  }

  public void save(ModelState state) throws IOException {
    Files.createDirectories(dir);
    Path temp = dir.resolve(FILE + ".tmp");
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream raw = Channels.newOutputStream(channel);
      DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw, 1 << 16));
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeLong(state.round());
      out.writeUTF(state.hash());
      writeFloats(out, state.parameters());
      writeFloats(out, state.optimizerState());
      out.flush();
      channel.force(true);
    }
    try {
      Files.move(temp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the checkpoint directory " + dir + " does not support atomic rename", e);
    }
    syncDirectory();
  }

  /** The checkpoint, if there is one; an unreadable or inconsistent file is an error, not an empty result. */
  public Optional<ModelState> load() throws IOException {
    try (InputStream raw = Files.newInputStream(file());
         DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(file() + " is not a fedmesh checkpoint");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException(file() + " has checkpoint format " + version + ", this build reads " + VERSION);
      }
      long round = in.readLong();
      String hash = in.readUTF();
      float[] parameters = readFloats(in);
      float[] optimizerState = readFloats(in);
      ModelState state = ModelState.of(round, parameters, optimizerState);
      if (!state.hash().equals(hash)) {
        throw new IOException(file() + " is damaged: its content hashes to " + state.shortHash()
            + " but it records " + hash.substring(0, Math.min(12, hash.length())));
      }
      return Optional.of(state);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (EOFException e) {
      throw new IOException(file() + " is truncated", e);
    }
  }

  private void syncDirectory() {
    // Makes the rename itself durable; not every platform can open a directory, and that is not fatal.
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException ignored) {
      // best effort
    }
  }

  private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    out.writeInt(values.length);
    for (float v : values) {
      out.writeFloat(v);
    }
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > (1 << 29)) {
      throw new IOException("implausible vector length " + length);
    }
    float[] values = new float[length];
    for (int i = 0; i < length; i++) {
      values[i] = in.readFloat();
    }
    return values;
  }
}
