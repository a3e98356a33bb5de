package org.fedmesh.mpc.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.util.IPAddress;

/**
 * A consortium's certificate authority: an RSA-3072 key and a self-signed certificate that issues one
 * certificate per member. Every member trusts exactly this CA, for Artery TLS and for signed ephemeral keys.
 */
public final class ConsortiumCa {

  public static final String CERTIFICATE_FILE = "ca.crt";
  public static final String KEY_FILE = "ca.key";
  /** Certificates start a minute in the past so a peer whose clock lags slightly still accepts them. */
  static final Duration CLOCK_SKEW_ALLOWANCE = Duration.ofMinutes(1);
  private static final int MAX_CONSORTIUM_NAME_LENGTH = 64;

  private final String consortiumName;
  private final PrivateKey privateKey;
  private final X509Certificate certificate;

  private ConsortiumCa(String consortiumName, PrivateKey privateKey, X509Certificate certificate) {
    this.consortiumName = consortiumName;
    this.privateKey = privateKey;
    this.certificate = certificate;
  }

  /** Makes a new CA key and self-signed certificate valid from now (minus a minute) for {@code validity}. */
  public static ConsortiumCa create(String consortiumName, Duration validity) {
    requireValidConsortiumName(consortiumName);
    requirePositive(validity);
    KeyPair keys = KeyTypes.generateRsa(new SecureRandom());
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, consortiumName)
        .addRDN(BCStyle.CN, consortiumName + " fedmesh CA")
        .build();
    X509Certificate certificate = CertificateIssuer.selfSignedCa(keys, subject,
        now.minus(CLOCK_SKEW_ALLOWANCE), now.plus(validity));
    return new ConsortiumCa(consortiumName, keys.getPrivate(), certificate);
  }

  /** Loads {@code ca.crt} and {@code ca.key} from {@code dir}, checking that they belong together. */
  public static ConsortiumCa load(Path dir) throws IOException {
    Path certificateFile = dir.resolve(CERTIFICATE_FILE);
    Path keyFile = dir.resolve(KEY_FILE);
    X509Certificate certificate = PemFiles.readCertificate(certificateFile, "CA certificate");
    PrivateKey privateKey = PemFiles.readPrivateKey(keyFile, "CA private key");
    if (certificate.getBasicConstraints() < 0) {
      throw new IOException("CA certificate file " + certificateFile + " holds '"
          + Certificates.describe(certificate) + "', which is not a CA certificate");
    }
    if (!KeyTypes.matches(privateKey, certificate.getPublicKey())) {
      throw new IOException("CA private key file " + keyFile + " does not belong to the certificate in "
          + certificateFile);
    }
    String consortiumName = Certificates.organization(certificate).orElseThrow(() -> new IOException(
        "CA certificate file " + certificateFile + " has no single O= (consortium name) in its subject"));
    return new ConsortiumCa(consortiumName, privateKey, certificate);
  }

  /** Writes {@code ca.crt} and {@code ca.key} (0600) into {@code dir}, creating it; never overwrites. */
  public void save(Path dir) throws IOException {
    PemFiles.writeAllNew(List.of(
        PemFiles.certificate(dir.resolve(CERTIFICATE_FILE), certificate),
        PemFiles.privateKey(dir.resolve(KEY_FILE), privateKey)));
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String consortiumName() {
    return consortiumName;
  }

  /** The DNS name every member certificate of this consortium carries, see {@link #memberGroupDnsName(String)}. */
  public String memberGroupDnsName() {
    return memberGroupDnsName(consortiumName);
  }

  /**
   * A SAN DNS name shared by all members of a consortium: {@code members.<slug>.fedmesh.invalid}. Pekko's
   * RotatingKeysSSLEngineProvider accepts a TLS peer only if it shares a CN or SAN DNS name with the local
   * certificate; CNs differ per node, so this shared name is what lets members talk to each other. The
   * {@code .invalid} TLD is reserved (RFC 6761): the name can never resolve to, or be certified for, a real host.
   */
  public static String memberGroupDnsName(String consortiumName) {
    String slug = consortiumName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
        .replaceAll("^-+|-+$", "");
    if (slug.length() > 63) {
      slug = slug.substring(0, 63).replaceAll("-+$", "");
    }
    return "members." + (slug.isEmpty() ? "consortium" : slug) + ".fedmesh.invalid";
  }

  /**
   * Issues a key and certificate for one member: subject {@code CN=<nodeName>,O=<consortium>}; SAN
   * {@code DNS:<nodeName>} (when it is DNS syntax, i.e. has no '_'), each host as an IP address or DNS name,
   * and {@link #memberGroupDnsName()}; valid from now (minus a minute) for {@code validity}.
   *
   * @param hosts addresses peers reach this node at; IP literals become IP SANs, anything else must be a DNS name
   */
  public MemberIdentity issue(String nodeName, List<String> hosts, Duration validity) {
    NodeNames.requireValid(nodeName);
    Objects.requireNonNull(hosts, "hosts");
    requirePositive(validity);
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = now.plus(validity);
    if (certificate.getNotAfter().toInstant().isBefore(now)) {
      throw new IllegalStateException("the consortium CA certificate expired at "
          + certificate.getNotAfter().toInstant() + "; create a new CA");
    }
    if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
      throw new IllegalArgumentException("a certificate for '" + nodeName + "' valid for " + validity
          + " would outlive the CA certificate, which expires at " + certificate.getNotAfter().toInstant()
          + "; lower the validity");
    }
    KeyPair keys = KeyTypes.generateRsa(new SecureRandom());
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, consortiumName)
        .addRDN(BCStyle.CN, nodeName)
        .build();
    X509Certificate memberCertificate = CertificateIssuer.member(certificate, privateKey, subject,
        keys.getPublic(), subjectAltNames(nodeName, hosts), now.minus(CLOCK_SKEW_ALLOWANCE), notAfter);
    return new MemberIdentity(nodeName, keys.getPrivate(), memberCertificate, certificate);
  }

  /** A signed revocation list with nothing revoked yet: {@code ca init} writes one, so members can configure it. */
  public RevocationList emptyRevocationList() {
    return new RevocationList(CertificateIssuer.revocationList(certificate, privateKey, null, BigInteger.ONE,
        List.of(), CRLReason.unspecified, Instant.now().truncatedTo(ChronoUnit.SECONDS)));
  }

  /**
   * A new revocation list: {@code previous} (empty if null) plus {@code serials}, revoked now for
   * {@code reason} (an RFC 5280 CRLReason code, see {@link #reasonCode(String)}), numbered one higher.
   */
  public RevocationList revoke(RevocationList previous, List<BigInteger> serials, int reason) {
    Objects.requireNonNull(serials, "serials");
    BigInteger number = previous == null ? BigInteger.ONE : previous.number().add(BigInteger.ONE);
    return new RevocationList(CertificateIssuer.revocationList(certificate, privateKey,
        previous == null ? null : previous.crl(), number, serials, reason,
        Instant.now().truncatedTo(ChronoUnit.SECONDS)));
  }

  /**
   * The RFC 5280 reason code a free-text reason names ("key compromise", "superseded", ...), else
   * {@code unspecified}: the CRL carries codes only; the text itself goes into the CA's log.
   */
  public static int reasonCode(String text) {
    String key = text == null ? "" : text.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
    return switch (key) {
      case "keycompromise" -> CRLReason.keyCompromise;
      case "affiliationchanged" -> CRLReason.affiliationChanged;
      case "superseded" -> CRLReason.superseded;
      case "cessationofoperation" -> CRLReason.cessationOfOperation;
      case "privilegewithdrawn" -> CRLReason.privilegeWithdrawn;
      default -> CRLReason.unspecified;
    };
  }

  /** For tests that need certificates this class would never issue. */
  PrivateKey privateKey() {
    return privateKey;
  }

  @Override
  public String toString() {
    return "ConsortiumCa[" + Certificates.describe(certificate) + ", expires "
        + certificate.getNotAfter().toInstant() + "]";
  }

  private List<GeneralName> subjectAltNames(String nodeName, List<String> hosts) {
    Set<GeneralName> names = new LinkedHashSet<>(); // GeneralName has value equality: drops duplicates
    if (NodeNames.isDnsName(nodeName)) {
      names.add(new GeneralName(GeneralName.dNSName, nodeName));
    }
    for (String host : hosts) {
      names.add(hostName(Objects.requireNonNull(host, "host")));
    }
    names.add(new GeneralName(GeneralName.dNSName, memberGroupDnsName()));
    return new ArrayList<>(names);
  }

  /** Never resolves the host: IP literals are recognised syntactically. */
  private static GeneralName hostName(String host) {
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (IPAddress.isValid(literal)) {
      return new GeneralName(GeneralName.iPAddress, literal);
    }
    if (NodeNames.isDnsName(host)) {
      return new GeneralName(GeneralName.dNSName, host);
    }
    throw new IllegalArgumentException("host '" + host + "' is neither an IP address nor a DNS name");
  }

  private static void requireValidConsortiumName(String consortiumName) {
    Objects.requireNonNull(consortiumName, "consortiumName");
    if (consortiumName.isBlank() || consortiumName.length() > MAX_CONSORTIUM_NAME_LENGTH
        || !consortiumName.strip().equals(consortiumName)
        || consortiumName.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("invalid consortium name '" + consortiumName + "': use 1 to "
          + MAX_CONSORTIUM_NAME_LENGTH + " printable characters without leading or trailing spaces");
    }
  }

  private static void requirePositive(Duration validity) {
    Objects.requireNonNull(validity, "validity");
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity must be positive, got " + validity);
    }
  }
}
