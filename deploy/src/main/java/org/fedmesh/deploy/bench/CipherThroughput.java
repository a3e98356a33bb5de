package org.fedmesh.deploy.bench;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.fedmesh.gossip.PieceMac;
import org.fedmesh.mpc.ControlSeal;
import org.fedmesh.mpc.MaskPrg;
import org.fedmesh.mpc.PairSeeds;
import org.fedmesh.mpc.pki.MemberIdentity;
import org.fedmesh.protocols.AllReduceProtocol;
import org.fedmesh.protocols.AttemptId;

/**
 * What the machine's JDK does per second for masking, for the aggregation report: the bare keystreams of
 * AES-256/CTR (the masks' cipher since protocol 6) and ChaCha20 (before it), and {@link MaskPrg#add} itself.
 * Informational: it never picks the cipher.
 */
final class CipherThroughput {
  private static final int BUFFER_BYTES = 64 * 1024;

  private CipherThroughput() {}

  static Map<String, Double> keystreamBytesPerSecond(int bytes, int repetitions) throws GeneralSecurityException {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    byte[] zeros = new byte[BUFFER_BYTES];
    byte[] out = new byte[BUFFER_BYTES];
    Map<String, Double> rates = new LinkedHashMap<>();
    rates.put("ChaCha20", medianBytesPerSecond(bytes, repetitions, () -> stream(
        cipher("ChaCha20", new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(new byte[12], 0)),
        zeros, out, bytes)));
    rates.put("AES-256/CTR", medianBytesPerSecond(bytes, repetitions, () -> stream(
        cipher("AES/CTR/NoPadding", new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16])),
        zeros, out, bytes)));
    return rates;
  }

  /** Vector bytes masked per second by {@link MaskPrg#add}: keystream plus the wrapping add, one thread. */
  static double maskBytesPerSecond(int longs, int repetitions) {
    long[] vector = new long[longs];
    byte[] seed = new byte[PairSeeds.SEED_BYTES];
    new SecureRandom().nextBytes(seed);
    return medianBytesPerSecond((long) longs * Long.BYTES, repetitions, () -> MaskPrg.add(vector, seed, false));
  }

  /**
   * Bytes per second through the ring endpoint's own piece tags ({@link PieceMac}), one tag per {@code pieceBytes}.
   * Every piece is tagged by its sender and verified by its receiver. Each repetition uses a fresh link key, as each
   * attempt does, so that no piece's nonce repeats under a key.
   */
  static double ringMacBytesPerSecond(int bytes, int pieceBytes, int repetitions) throws GeneralSecurityException {
    long[] piece = new long[pieceBytes / Long.BYTES];
    AttemptId attempt = new AttemptId(1, 1, 2, 3);
    SecureRandom random = new SecureRandom();
    return medianBytesPerSecond(bytes, repetitions, () -> {
      byte[] key = new byte[32];
      random.nextBytes(key);
      PieceMac mac = new PieceMac(key);
      int offset = 0;
      for (long left = bytes; left > 0; left -= pieceBytes) {
        mac.tag(attempt, AllReduceProtocol.Phase.REDUCE_SCATTER, 0, 0, offset, piece);
        offset += piece.length;
      }
    });
  }

  /**
   * Median seconds to seal one control message and to verify its seal (certificate validation included), with
   * {@code identity}'s key as members do ({@link ControlSeal}); and the seal's encoded size in bytes.
   */
  static Map<String, Double> controlSealCost(MemberIdentity identity, int repetitions) throws Exception {
    byte[] statement = new byte[512]; // about a StartRound's statement for five members
    new SecureRandom().nextBytes(statement);
    double[] seal = new double[repetitions];
    double[] verify = new double[repetitions];
    ControlSeal sealed = null;
    for (int i = -3; i < repetitions; i++) { // three warm-up rounds
      long t0 = System.nanoTime();
      sealed = ControlSeal.seal(identity, statement);
      long t1 = System.nanoTime();
      sealed.verify(statement, identity.caCertificate(), Instant.now());
      long t2 = System.nanoTime();
      if (i >= 0) {
        seal[i] = (t1 - t0) / 1e9;
        verify[i] = (t2 - t1) / 1e9;
      }
    }
    Arrays.sort(seal);
    Arrays.sort(verify);
    Map<String, Double> cost = new LinkedHashMap<>();
    cost.put("seal_seconds_median", seal[repetitions / 2]);
    cost.put("verify_seconds_median", verify[repetitions / 2]);
    cost.put("seal_bytes", (double) sealed.encode().length);
    return cost;
  }

  private interface Task {
    void run() throws GeneralSecurityException;
  }

  private static Cipher cipher(String name, SecretKeySpec key, java.security.spec.AlgorithmParameterSpec spec)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(name);
    cipher.init(Cipher.ENCRYPT_MODE, key, spec);
    return cipher;
  }

  private static void stream(Cipher cipher, byte[] zeros, byte[] out, long bytes) throws GeneralSecurityException {
    for (long left = bytes; left > 0; left -= zeros.length) {
      cipher.update(zeros, 0, (int) Math.min(left, zeros.length), out, 0);
    }
  }

  /** Warm-up runs first (the JIT compiles the hot loops), then the median rate of the timed runs. */
  private static double medianBytesPerSecond(long bytesPerRun, int repetitions, Task task) {
    try {
      for (int i = 0; i < Math.max(3, repetitions); i++) {
        task.run();
      }
      double[] rates = new double[repetitions];
      for (int i = 0; i < repetitions; i++) {
        long start = System.nanoTime();
        task.run();
        rates[i] = bytesPerRun * 1e9 / Math.max(1, System.nanoTime() - start);
      }
      Arrays.sort(rates);
      return rates[repetitions / 2];
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("a cipher of this JDK failed", e);
    }
  }
}
