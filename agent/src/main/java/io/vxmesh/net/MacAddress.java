package io.vxmesh.net;

import java.util.Arrays;
import java.util.HexFormat;

/** A 48-bit Ethernet address. Parsed from and printed as {@code c2:6a:9b:e5:39:8d}. */
public record MacAddress(byte[] bytes) {
  public MacAddress {
    if (bytes == null || bytes.length != 6) {
      throw new IllegalArgumentException("a MAC address has 6 bytes");
    }
    bytes = bytes.clone();
  }

  /** Parses {@code aa:bb:cc:dd:ee:ff} (case-insensitive); throws with the reason otherwise. */
  public static MacAddress parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("MAC address is missing");
    }
    String[] parts = text.trim().split(":", -1);
    if (parts.length != 6) {
      throw new IllegalArgumentException("'" + text + "' is not a MAC address (want six hex pairs like c2:6a:9b:e5:39:8d)");
    }
    byte[] b = new byte[6];
    for (int i = 0; i < 6; i++) {
      if (parts[i].length() != 2 || !isHex(parts[i])) {
        throw new IllegalArgumentException("'" + text + "' is not a MAC address (want six hex pairs like c2:6a:9b:e5:39:8d)");
      }
      b[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return new MacAddress(b);
  }

  private static boolean isHex(String s) {
    for (char c : s.toCharArray()) {
      if (Character.digit(c, 16) < 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  public boolean isMulticast() {
    return (bytes[0] & 1) != 0;
  }

  public boolean isZero() {
    for (byte x : bytes) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    // Arrays.hashCode collides heavily for MACs that differ only in their last two bytes
    // (31*b4 + b5), which made maps of 10,000 peers quadratic; the low 32 bits are unique there.
    long v = 0;
    for (byte x : bytes) {
      v = v << 8 | (x & 0xff);
    }
    return Long.hashCode(v);
  }

  @Override
  public String toString() {
    return HexFormat.ofDelimiter(":").formatHex(bytes);
  }
}
