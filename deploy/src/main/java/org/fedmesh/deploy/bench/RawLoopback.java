package org.fedmesh.deploy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The machine's limit for the benchmark: one sender thread and one receiver thread copying bytes through a plain
 * TCP socket on 127.0.0.1, no serialization, no actors. All bench members share this loopback and these cores, so
 * the aggregate bytes they move per second are bounded by this figure.
 */
final class RawLoopback {
  private static final int BUFFER = 1 << 20;

  private RawLoopback() {}

  /** Bytes per second of each timed repetition of {@code bytesPerRepetition}, after {@code warmup} untimed ones. */
  static List<Double> bytesPerSecond(long bytesPerRepetition, int warmup, int repetitions) throws Exception {
    ExecutorService receiver = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "raw-loopback-receiver");
      t.setDaemon(true);
      return t;
    });
    List<Double> rates = new ArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Socket> accepted = receiver.submit(server::accept);
      try (Socket out = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
           Socket in = accepted.get()) {
        out.setTcpNoDelay(true);
        OutputStream sink = out.getOutputStream();
        InputStream source = in.getInputStream();
        byte[] block = new byte[BUFFER];
        for (int rep = 0; rep < warmup + repetitions; rep++) {
          Future<Long> read = receiver.submit(() -> drain(source, bytesPerRepetition));
          long start = System.nanoTime();
          for (long sent = 0; sent < bytesPerRepetition; sent += BUFFER) {
            sink.write(block, 0, (int) Math.min(BUFFER, bytesPerRepetition - sent));
          }
          sink.flush();
          read.get();
          double seconds = (System.nanoTime() - start) / 1e9;
          if (rep >= warmup) {
            rates.add(bytesPerRepetition / seconds);
          }
        }
      }
    } finally {
      receiver.shutdownNow();
    }
    return rates;
  }

  private static long drain(InputStream source, long bytes) throws IOException {
    byte[] block = new byte[BUFFER];
    long got = 0;
    while (got < bytes) {
      int n = source.read(block, 0, (int) Math.min(BUFFER, bytes - got));
      if (n < 0) {
        throw new IOException("loopback closed after " + got + " of " + bytes + " bytes");
      }
      got += n;
    }
    return got;
  }
}
