package io.vxmesh.gossip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster key: 32 random bytes shared by every host of a mesh, stored base64 in a key file
 * ({@code vxmesh keygen > /etc/vxmesh/cluster.key}). It authenticates announcements and gossip
 * packets with HMAC-SHA256.
 */
public final class ClusterKey {
  public static final int LENGTH = 32;
  private static final String ALGORITHM = "HmacSHA256";

  private final byte[] key;
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  private ClusterKey(byte[] key) {
    this.key = key.clone();
  }

  public static ClusterKey of(byte[] key) {
    if (key.length != LENGTH) {
      throw new IllegalArgumentException("cluster key must be " + LENGTH + " bytes, got " + key.length);
    }
    return new ClusterKey(key);
  }

  /** A fresh random key. */
  public static ClusterKey generate() {
    byte[] b = new byte[LENGTH];
    new SecureRandom().nextBytes(b);
    return new ClusterKey(b);
  }

  /**
   * Parses base64 text (surrounding whitespace allowed); the message says what is wrong in a
   * few words ("not base64", "3 bytes, want 32") for the caller to put in context.
   */
  public static ClusterKey parse(String base64) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not base64");
    }
    if (raw.length != LENGTH) {
      throw new IllegalArgumentException(raw.length + " bytes, want " + LENGTH);
    }
    return new ClusterKey(raw);
  }

  /**
   * Reads a key file; the IllegalArgumentException message names the reason, not the file.
   * (The agent's configuration reads its key file itself, for messages that say how to fix it.)
   */
  public static ClusterKey read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("file does not exist (create it with `vxmesh keygen`)");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read: " + e.getMessage());
    }
  }

  public String toBase64() {
    return Base64.getEncoder().encodeToString(key);
  }

  /**
   * A short public name for this key: the first 8 bytes of SHA-256 over it, hex. Operators
   * compare it across hosts ({@code vxmesh keyring list}) without ever showing the key.
   */
  public String fingerprint() {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key);
      return java.util.HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** HMAC-SHA256 of the given bytes under this key (32 bytes). */
  public byte[] hmac(byte[] data, int offset, int length) {
    Mac mac = macs.get();
    mac.update(data, offset, length);
    return mac.doFinal(); // also resets it for the next use on this thread
  }

  /**
   * One initialised Mac per thread: every datagram is MACed on send and verified on receipt,
   * and looking the algorithm up in the providers plus keying a new Mac each time was most of
   * that cost (an idle agent's UDP thread, bench footprint).
   */
  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  public byte[] hmac(byte[] data) {
    return hmac(data, 0, data.length);
  }

  /** Constant-time check of a MAC over {@code data}. */
  public boolean verify(byte[] data, byte[] mac) {
    return mac != null && java.security.MessageDigest.isEqual(hmac(data), mac);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterKey k && Arrays.equals(key, k.key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "ClusterKey[redacted]";
  }
}
