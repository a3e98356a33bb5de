package org.fedmesh.mpc.pki;

import java.time.Duration;
import java.util.List;

/**
 * CAs and member identities shared by all test classes of the module (one JVM), because each RSA-3072 key
 * takes around a second to generate. Made on first use.
 */
public final class TestPki {

  public static final String CONSORTIUM = "Acme Health";
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration MEMBER_VALIDITY = Duration.ofDays(30);

  private static ConsortiumCa ca;
  private static ConsortiumCa otherCa;
  private static ConsortiumCa impostorCa;
  private static MemberIdentity alice;
  private static MemberIdentity bob;
  private static MemberIdentity carol;
  private static MemberIdentity aliceOfOtherCa;
  private static MemberIdentity aliceOfImpostorCa;

  private TestPki() {
  }

  /** The consortium CA. */
  public static synchronized ConsortiumCa ca() {
    if (ca == null) {
      ca = ConsortiumCa.create(CONSORTIUM, CA_VALIDITY);
    }
    return ca;
  }

  /** Another consortium's CA, with another name. */
  public static synchronized ConsortiumCa otherCa() {
    if (otherCa == null) {
      otherCa = ConsortiumCa.create("Other Consortium", CA_VALIDITY);
    }
    return otherCa;
  }

  /** A CA with the same name as {@link #ca()} but its own key. */
  public static synchronized ConsortiumCa impostorCa() {
    if (impostorCa == null) {
      impostorCa = ConsortiumCa.create(CONSORTIUM, CA_VALIDITY);
    }
    return impostorCa;
  }

  public static synchronized MemberIdentity alice() {
    if (alice == null) {
      alice = ca().issue("alice", List.of("127.0.0.1", "alice.example.org", "::1"), MEMBER_VALIDITY);
    }
    return alice;
  }

  public static synchronized MemberIdentity bob() {
    if (bob == null) {
      bob = ca().issue("bob", List.of(), MEMBER_VALIDITY);
    }
    return bob;
  }

  public static synchronized MemberIdentity carol() {
    if (carol == null) {
      carol = ca().issue("carol", List.of(), MEMBER_VALIDITY);
    }
    return carol;
  }

  /** "alice", certified by {@link #otherCa()}. */
  public static synchronized MemberIdentity aliceOfOtherCa() {
    if (aliceOfOtherCa == null) {
      aliceOfOtherCa = otherCa().issue("alice", List.of(), MEMBER_VALIDITY);
    }
    return aliceOfOtherCa;
  }

  /** "alice", certified by {@link #impostorCa()}. */
  public static synchronized MemberIdentity aliceOfImpostorCa() {
    if (aliceOfImpostorCa == null) {
      aliceOfImpostorCa = impostorCa().issue("alice", List.of(), MEMBER_VALIDITY);
    }
    return aliceOfImpostorCa;
  }
}
