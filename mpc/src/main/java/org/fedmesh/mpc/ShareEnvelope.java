package org.fedmesh.mpc;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A {@link SeedShares.Share} sealed for one peer: AES-256-GCM under a key derived with HKDF-SHA256 from the pair's
 * X25519 shared secret of the attempt, one key per direction. The associated data binds the attempt (round,
 * attempt number, nonce), sender, receiver and share index, so an envelope opens only for the peer it was made for,
 * in the attempt it was made in, and any change to it is detected. Whoever relays it (the coordinator) learns
 * nothing of the share.
 */
public final class ShareEnvelope {

  static final String LABEL = "fedmesh-seed-share-v1";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  /** The envelope as it travels: a random IV and the ciphertext with its tag. */
  public record Sealed(int index, byte[] iv, byte[] ciphertext) {
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
      return o instanceof Sealed s && index == s.index && Arrays.equals(iv, s.iv)
          && Arrays.equals(ciphertext, s.ciphertext);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * index + Arrays.hashCode(iv)) + Arrays.hashCode(ciphertext);
    }
  }

  /** Where an envelope belongs: the attempt and the pair, in the direction it travels. */
  public record Binding(long round, int attempt, byte[] nonce, String from, String to) {
    public Binding {
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      if (from.equals(to)) {
        throw new IllegalArgumentException("an envelope goes to another member, not back to '" + from + "'");
      }
      nonce = nonce.clone();
    }

    byte[] info() {
      return new CanonicalBytes().putString(LABEL).putLong(round).putInt(attempt).putBytes(nonce).putString(from)
          .putString(to).toByteArray();
    }
  }

  private ShareEnvelope() {
  }

  public static Sealed seal(byte[] sharedSecret, Binding binding, SeedShares.Share share, SecureRandom random) {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, sharedSecret, binding, share.index(), iv);
      return new Sealed(share.index(), iv, cipher.doFinal(share.value()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a seed share: " + e.getMessage(), e);
    }
  }

  /** @throws GeneralSecurityException when the envelope was not made for this binding or was altered */
  public static SeedShares.Share open(byte[] sharedSecret, Binding binding, Sealed sealed)
      throws GeneralSecurityException {
    Cipher cipher = cipher(Cipher.DECRYPT_MODE, sharedSecret, binding, sealed.index(), sealed.iv());
    return new SeedShares.Share(sealed.index(), cipher.doFinal(sealed.ciphertext()));
  }

  private static Cipher cipher(int mode, byte[] sharedSecret, Binding binding, int index, byte[] iv)
      throws GeneralSecurityException {
    Objects.requireNonNull(sharedSecret, "sharedSecret");
    if (iv.length != IV_BYTES) {
      throw new GeneralSecurityException("an envelope's IV has " + IV_BYTES + " bytes, got " + iv.length);
    }
    byte[] info = binding.info();
    byte[] key = PairSeeds.pairKey(LABEL, sharedSecret, binding.round(), binding.attempt(), binding.nonce(),
        binding.from(), binding.to(), 32);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
    cipher.updateAAD(ByteBuffer.allocate(info.length + Integer.BYTES).put(info).putInt(index).array());
    return cipher;
  }
}
