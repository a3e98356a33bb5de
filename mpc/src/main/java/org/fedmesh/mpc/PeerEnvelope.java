package org.fedmesh.mpc;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A message from one participant of an attempt to another, sealed for that pair: AES-256-GCM under a key derived
 * with HKDF-SHA256 from the pair's X25519 shared secret of the attempt, one key per direction and purpose. The
 * associated data binds the attempt (round, attempt number, nonce), sender, receiver and purpose, so an envelope
 * opens only for the peer it was made for, in the attempt and for the purpose it was made for, and any change to it
 * is detected. Only the two members of the pair hold the secret: whoever relays or injects one learns nothing of
 * its content and cannot make one that opens. Used for double masking's seed shares, attestations and reveals.
 */
public final class PeerEnvelope {

  static final String LABEL = "fedmesh-peer-envelope-v1";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int KEY_BYTES = 32;

  /** The envelope as it travels: a random IV and the ciphertext with its tag. */
  public record Sealed(byte[] iv, byte[] ciphertext) {
    public Sealed {
      iv = iv.clone();
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] iv() {
      return iv.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Sealed s && Arrays.equals(iv, s.iv) && Arrays.equals(ciphertext, s.ciphertext);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(iv) + Arrays.hashCode(ciphertext);
    }
  }

  /** Where an envelope belongs: the attempt, the pair in the direction it travels, and what it is for. */
  public record Binding(long round, int attempt, byte[] nonce, String from, String to, String purpose) {
    public Binding {
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(purpose, "purpose");
      if (from.equals(to)) {
        throw new IllegalArgumentException("an envelope goes to another member, not back to '" + from + "'");
      }
      nonce = nonce.clone();
    }

    byte[] associatedData() {
      return new CanonicalBytes().putString(LABEL).putLong(round).putInt(attempt).putBytes(nonce).putString(from)
          .putString(to).putString(purpose).toByteArray();
    }
  }

  private PeerEnvelope() {
  }

  public static Sealed seal(byte[] sharedSecret, Binding binding, byte[] plaintext, SecureRandom random) {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      return new Sealed(iv, cipher(Cipher.ENCRYPT_MODE, sharedSecret, binding, iv).doFinal(plaintext));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a peer envelope: " + e.getMessage(), e);
    }
  }

  /** @throws GeneralSecurityException when the envelope was not made for this binding or was altered */
  public static byte[] open(byte[] sharedSecret, Binding binding, Sealed sealed) throws GeneralSecurityException {
    return cipher(Cipher.DECRYPT_MODE, sharedSecret, binding, sealed.iv()).doFinal(sealed.ciphertext());
  }

  private static Cipher cipher(int mode, byte[] sharedSecret, Binding binding, byte[] iv)
      throws GeneralSecurityException {
    Objects.requireNonNull(sharedSecret, "sharedSecret");
    if (iv.length != IV_BYTES) {
      throw new GeneralSecurityException("an envelope's IV has " + IV_BYTES + " bytes, got " + iv.length);
    }
    byte[] key = PairSeeds.pairKey(LABEL + "/" + binding.purpose(), sharedSecret, binding.round(),
        binding.attempt(), binding.nonce(), binding.from(), binding.to(), KEY_BYTES);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
    cipher.updateAAD(binding.associatedData());
    return cipher;
  }
}
