package io.vxmesh.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parsing of IP literals without DNS: a host name is an error, never a lookup. */
public final class IpAddresses {
  private IpAddresses() {}

  /** Parses an IPv4 dotted quad or an IPv6 literal; throws with the reason otherwise. */
  public static InetAddress parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("address is missing");
    }
    String t = text.trim();
    if (t.indexOf(':') >= 0) {
      try {
        return InetAddress.getByName(t.startsWith("[") ? t : "[" + t + "]");
      } catch (UnknownHostException | RuntimeException e) {
        throw new IllegalArgumentException("'" + text + "' is not an IP address");
      }
    }
    return parseV4(t);
  }

  /** Parses an IPv4 dotted quad, e.g. {@code 10.211.55.5}. */
  public static Inet4Address parseV4(String text) {
    String[] parts = text == null ? new String[0] : text.trim().split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
      }
      b[i] = (byte) v;
    }
    return v4(b);
  }

  public static Inet4Address v4(byte[] b) {
    try {
      return (Inet4Address) InetAddress.getByAddress(b);
    } catch (UnknownHostException | ClassCastException e) {
      throw new IllegalArgumentException("an IPv4 address has 4 bytes");
    }
  }
}
