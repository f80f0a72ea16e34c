package io.vxmesh.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An IP address and a port, e.g. a gossip address: printed as {@code 10.211.55.5:7947} or
 * {@code [fd00::5]:7947}, parsed from the same (no host names: a name is an error, never a DNS
 * lookup). The one host:port form in vxmesh: config {@code join}, seeds, the peer snapshot,
 * member addresses in the API, packet sources.
 */
public record HostPort(InetAddress host, int port) {
  public HostPort {
    if (host == null) {
      throw new IllegalArgumentException("address is missing");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 1..65535");
    }
  }

  /**
   * Parses {@code ip:port} or {@code [ipv6]:port}; throws with the reason otherwise. A bare IPv6
   * address followed by {@code :port} ({@code fd00::5:7947}, as older peer snapshots hold) is
   * read with the last colon as the port separator.
   */
  public static HostPort parse(String text) {
    return parse(text, 0);
  }

  /**
   * Like {@link #parse(String)}, but the port may be left out ({@code 10.0.0.2}, {@code fd00::2},
   * {@code [fd00::2]}) and is then {@code defaultPort}. A bare IPv6 address never carries a port
   * here: write {@code [fd00::2]:8000}.
   */
  public static HostPort parse(String text, int defaultPort) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("'" + text + "' is not host:port");
    }
    String t = text.strip();
    String host;
    String port = null;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("'" + text + "' is not host:port");
      }
      host = t.substring(1, close);
      if (close + 1 < t.length()) {
        if (t.charAt(close + 1) != ':') {
          throw new IllegalArgumentException("'" + text + "' is not [ipv6]:port");
        }
        port = t.substring(close + 2);
      }
    } else {
      int colon = t.lastIndexOf(':');
      boolean bareIpv6 = colon >= 0 && t.indexOf(':') != colon;
      if (colon < 0 || (defaultPort > 0 && bareIpv6)) {
        host = t;
      } else {
        host = t.substring(0, colon);
        port = t.substring(colon + 1);
      }
    }
    if (port == null && defaultPort <= 0) {
      throw new IllegalArgumentException("'" + text + "' is not host:port");
    }
    return new HostPort(IpAddresses.parse(host), port == null ? defaultPort : port(text, port));
  }

  private static int port(String text, String port) {
    try {
      int p = Integer.parseInt(port);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("'" + text + "' has a bad port (want 1..65535)");
  }

  /** The IP and port of a socket address (which must carry an IP, not only a name). */
  public static HostPort of(InetSocketAddress a) {
    if (a.getAddress() == null) {
      throw new IllegalArgumentException("'" + a.getHostString() + "' is not an IP address");
    }
    return new HostPort(a.getAddress(), a.getPort());
  }

  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** {@code 10.211.55.5:7947}, {@code [fd00:0:0:0:0:0:0:5]:7947}. */
  @Override
  public String toString() {
    String ip = host.getHostAddress();
    return (host instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + port;
  }
}
