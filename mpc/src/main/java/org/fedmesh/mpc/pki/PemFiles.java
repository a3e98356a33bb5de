package org.fedmesh.mpc.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes the PEM files of the PKI. Private keys are written as unencrypted PKCS#8
 * ("BEGIN PRIVATE KEY"), which Pekko's PEM reader, OpenSSL and the JDK all accept, with owner-only
 * permissions where the file system has POSIX permissions. Nothing is ever overwritten.
 */
final class PemFiles {

  /** One file to write: its PEM text, and whether it holds a secret (0600). */
  record PemFile(Path path, String pem, boolean secret) {
  }

  private PemFiles() {
  }

  static PemFile privateKey(Path path, PrivateKey key) {
    try {
      return new PemFile(path, toPem(new JcaPKCS8Generator(key, null).generate()), true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode private key as PKCS#8", e);
    }
  }

  static PemFile certificate(Path path, X509Certificate certificate) {
    try {
      return new PemFile(path, toPem(certificate), false);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode certificate as PEM", e);
    }
  }

  /**
   * Writes all files or none: refuses if any already exists, and removes what it wrote if a later one fails.
   */
  static void writeAllNew(List<PemFile> files) throws IOException {
    for (PemFile file : files) {
      if (Files.exists(file.path(), LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(file.path().toString(), null,
            "refusing to overwrite an existing file; move it away or choose another directory");
      }
    }
    List<Path> written = new ArrayList<>();
    try {
      for (PemFile file : files) {
        writeNew(file);
        written.add(file.path());
      }
    } catch (IOException | RuntimeException e) {
      for (Path path : written) {
        Files.deleteIfExists(path);
      }
      throw e;
    }
  }

  static X509Certificate readCertificate(Path file, String role) throws IOException {
    Object pem = readFirstPemObject(file, role, "a CERTIFICATE");
    if (!(pem instanceof X509CertificateHolder holder)) {
      throw new IOException(role + " file " + file + " contains " + describe(pem) + ", expected a CERTIFICATE");
    }
    try {
      return Certificates.fromDer(holder.getEncoded());
    } catch (CertificateException e) {
      throw new IOException(role + " file " + file + " holds a certificate the JDK cannot parse: "
          + e.getMessage(), e);
    }
  }

  static PrivateKey readPrivateKey(Path file, String role) throws IOException {
    Object pem = readFirstPemObject(file, role, "a PRIVATE KEY");
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      if (pem instanceof PrivateKeyInfo pkcs8) {
        return converter.getPrivateKey(pkcs8);
      }
      if (pem instanceof PEMKeyPair pkcs1) { // "BEGIN RSA PRIVATE KEY", as older OpenSSL writes
        return converter.getKeyPair(pkcs1).getPrivate();
      }
    } catch (IOException e) {
      throw new IOException(role + " file " + file + " holds a key that cannot be decoded: "
          + e.getMessage(), e);
    }
    throw new IOException(role + " file " + file + " contains " + describe(pem) + ", expected a PRIVATE KEY");
  }

  private static Object readFirstPemObject(Path file, String role, String expected) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, role + " file does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(role + " file " + file + " is not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw new AccessDeniedException(file.toString(), null, role + " file is not readable by this user");
    }
    Object pem;
    // ISO-8859-1 maps every byte, so a binary (e.g. DER) file reads as "no PEM data" instead of a charset error.
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
        PEMParser parser = new PEMParser(reader)) {
      pem = parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new IOException(role + " file " + file + " is not valid PEM (expected " + expected + "): "
          + e.getMessage(), e);
    }
    if (pem == null) {
      throw new IOException(role + " file " + file + " contains no PEM data, expected " + expected);
    }
    return pem;
  }

  private static String describe(Object pem) {
    if (pem instanceof X509CertificateHolder) {
      return "a CERTIFICATE";
    }
    if (pem instanceof PrivateKeyInfo || pem instanceof PEMKeyPair) {
      return "a PRIVATE KEY";
    }
    if (pem instanceof PKCS8EncryptedPrivateKeyInfo || pem instanceof PEMEncryptedKeyPair) {
      return "an ENCRYPTED PRIVATE KEY (not supported: decrypt it with 'openssl pkcs8')";
    }
    if (pem instanceof SubjectPublicKeyInfo) {
      return "a PUBLIC KEY";
    }
    return "a " + pem.getClass().getSimpleName();
  }

  private static void writeNew(PemFile file) throws IOException {
    Path parent = file.path().toAbsolutePath().getParent();
    Files.createDirectories(parent);
    byte[] bytes = file.pem().getBytes(StandardCharsets.US_ASCII);
    boolean posix = Files.getFileStore(parent).supportsFileAttributeView(PosixFileAttributeView.class);
    if (file.secret() && posix) {
      // Created with 0600 from the start, so the key is never readable by others, not even briefly.
      Files.createFile(file.path(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file.path(), bytes, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    } else {
      Files.write(file.path(), bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
  }

  private static String toPem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    }
    return text.toString();
  }
}
