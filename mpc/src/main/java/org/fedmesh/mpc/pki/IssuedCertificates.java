package org.fedmesh.mpc.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CA's record of what it issued: a copy of every member certificate in {@code <ca dir>/issued/<serial>.crt}.
 * {@code fedmesh ca revoke --node NAME} finds a member's serials here; a certificate issued before this record
 * existed can still be revoked by its serial.
 */
public final class IssuedCertificates {

  public static final String DIR = "issued";

  private IssuedCertificates() {
  }

  /** Keeps a copy of {@code certificate} in the CA directory. */
  public static void record(Path caDir, X509Certificate certificate) throws IOException {
    Path file = caDir.resolve(DIR).resolve(serialHex(certificate.getSerialNumber()) + ".crt");
    PemFiles.writeAllNew(List.of(PemFiles.certificate(file, certificate)));
  }

  /** Every recorded certificate whose CN is {@code nodeName}, oldest first. */
  public static List<X509Certificate> ofNode(Path caDir, String nodeName) throws IOException {
    Path dir = caDir.resolve(DIR);
    List<X509Certificate> found = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".crt")).sorted().toList()) {
        X509Certificate certificate = PemFiles.readCertificate(file, "issued certificate");
        if (Certificates.commonName(certificate).filter(nodeName::equals).isPresent()) {
          found.add(certificate);
        }
      }
    }
    found.sort((a, b) -> a.getNotBefore().compareTo(b.getNotBefore()));
    return found;
  }

  /** The recorded certificate with this serial, if the CA kept one. */
  public static Optional<X509Certificate> bySerial(Path caDir, BigInteger serial) throws IOException {
    Path file = caDir.resolve(DIR).resolve(serialHex(serial) + ".crt");
    return Files.exists(file) ? Optional.of(PemFiles.readCertificate(file, "issued certificate")) : Optional.empty();
  }

  /** Lower-case hexadecimal, as {@code openssl x509 -serial} and {@link MemberIdentity#toString()} print it. */
  public static String serialHex(BigInteger serial) {
    return serial.toString(16);
  }

  /** Parses a serial as hexadecimal, with or without a {@code 0x} prefix or {@code :} separators. */
  public static BigInteger parseSerial(String text) {
    String hex = text.trim().toLowerCase(java.util.Locale.ROOT).replace(":", "");
    if (hex.startsWith("0x")) {
      hex = hex.substring(2);
    }
    if (!hex.matches("[0-9a-f]{1,64}")) {
      throw new IllegalArgumentException("'" + text + "' is not a hexadecimal certificate serial");
    }
    return new BigInteger(hex, 16);
  }
}
