package com.yumzoom.ops.cache.codec;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM keys for L2 payloads, with rotation: new entries are sealed with the current key, and
 * entries sealed with any retired key still open until they expire. Every sealed payload starts
 * with its one-byte key id, then a fresh 12-byte nonce, then ciphertext and the 16-byte tag.
 *
 * <p>The Redis key and the entry header are bound as associated data, so a payload copied under
 * another key, or with its expiry or tags edited, fails authentication instead of being served.
 *
 * <p>Rotation: deploy {@code current=2, retired={1}} everywhere, wait one L2 TTL, then drop key 1.
 */
public final class EncryptionKeys {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final int currentId;
  private final Map<Integer, SecretKeySpec> keys;
  private final SecureRandom random;

  private EncryptionKeys(int currentId, Map<Integer, SecretKeySpec> keys, SecureRandom random) {
    this.currentId = currentId;
    this.keys = Map.copyOf(keys);
    this.random = random;
  }

  /**
   * Keys by id (0..255); {@code currentId} seals new entries. Each key must be 16, 24 or 32 bytes.
   */
  public static EncryptionKeys of(int currentId, Map<Integer, byte[]> keysById) {
    Map<Integer, SecretKeySpec> specs = new HashMap<>();
    keysById.forEach(
        (id, key) -> {
          if (id < 0 || id > 255) {
            throw new IllegalArgumentException("encryption.keyId " + id + " outside 0..255");
          }
          if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new IllegalArgumentException(
                "encryption.key " + id + " must be 16, 24 or 32 bytes, was " + key.length);
          }
          specs.put(id, new SecretKeySpec(Arrays.copyOf(key, key.length), "AES"));
        });
    if (!specs.containsKey(currentId)) {
      throw new IllegalArgumentException("encryption.currentKeyId " + currentId + " has no key");
    }
    return new EncryptionKeys(currentId, specs, new SecureRandom());
  }

  public int currentId() {
    return currentId;
  }

  public byte[] seal(byte[] plain, byte[] associated) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(associated);
      byte[] out = new byte[1 + NONCE_BYTES + c.getOutputSize(plain.length)];
      out[0] = (byte) currentId;
      System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
      c.doFinal(plain, 0, plain.length, out, 1 + NONCE_BYTES);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /**
   * Opens a sealed payload.
   *
   * @throws IllegalArgumentException when the key id is unknown or authentication fails
   */
  public byte[] open(byte[] sealed, byte[] associated) {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8) {
      throw new IllegalArgumentException("encrypted payload shorter than nonce and tag");
    }
    int id = sealed[0] & 0xff;
    SecretKeySpec key = keys.get(id);
    if (key == null) {
      throw new IllegalArgumentException("encryption key id " + id + " unknown (retired?)");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
      c.updateAAD(associated);
      return c.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new IllegalArgumentException("encrypted payload failed authentication", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }
}
