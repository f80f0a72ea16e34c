package io.vxmesh.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address with a prefix length, e.g. {@code 179.17.1.21/24} (an interface address) or
 * {@code 10.234.111.0/24} (a network). {@link #address()} keeps the host bits as given;
 * {@link #network()} clears them.
 */
public record IpPrefix(InetAddress address, int prefixLength) {
  public IpPrefix {
    if (address == null) {
      throw new IllegalArgumentException("address is missing");
    }
    int max = address.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0.." + max);
    }
  }

  /** Parses {@code a.b.c.d/n} (IPv4 or IPv6 literal; no host names). */
  public static IpPrefix parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("CIDR is missing");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR (want address/prefix, e.g. 10.234.111.0/24)");
    }
    InetAddress addr = IpAddresses.parse(text.substring(0, slash));
    int len;
    try {
      len = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
    }
    int max = addr.getAddress().length * 8;
    if (len < 0 || len > max) {
      throw new IllegalArgumentException("'" + text + "' has prefix length " + len + " outside 0.." + max);
    }
    return new IpPrefix(addr, len);
  }

  public static IpPrefix of(byte[] address, int prefixLength) {
    try {
      return new IpPrefix(InetAddress.getByAddress(address), prefixLength);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.length);
    }
  }

  public boolean isIpv4() {
    return address instanceof Inet4Address;
  }

  public boolean isIpv6() {
    return address instanceof Inet6Address;
  }

  /** The prefix with host bits cleared. */
  public IpPrefix network() {
    return of(mask(address.getAddress(), prefixLength), prefixLength);
  }

  /** True when the host bits are all zero, i.e. this is a network, not an interface address. */
  public boolean isNetwork() {
    return network().equals(this);
  }

  public boolean contains(InetAddress a) {
    byte[] x = a.getAddress();
    if (x.length != address.getAddress().length) {
      return false;
    }
    return java.util.Arrays.equals(mask(x, prefixLength), mask(address.getAddress(), prefixLength));
  }

  public boolean overlaps(IpPrefix other) {
    byte[] a = address.getAddress();
    byte[] b = other.address.getAddress();
    if (a.length != b.length) {
      return false;
    }
    // Compare the common prefix byte by byte (no masked copies: the validator calls this for
    // every pair of members).
    int len = Math.min(prefixLength, other.prefixLength);
    for (int i = 0; i < a.length && len > 0; i++, len -= 8) {
      int m = (0xff << (8 - Math.min(8, len))) & 0xff;
      if ((a[i] & m) != (b[i] & m)) {
        return false;
      }
    }
    return true;
  }

  private static byte[] mask(byte[] a, int len) {
    byte[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      int bits = Math.max(0, Math.min(8, len - i * 8));
      out[i] &= (byte) (0xff << (8 - bits));
    }
    return out;
  }

  @Override
  public String toString() {
    return address.getHostAddress() + "/" + prefixLength;
  }
}
