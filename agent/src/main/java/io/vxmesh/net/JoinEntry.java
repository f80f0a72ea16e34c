package io.vxmesh.net;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of {@code [gossip] join}: an IP literal with a port ({@code 10.211.55.6:7947},
 * {@code [2001:db8::1]:7947}) or a DNS name with a port ({@code seeds.example.com:7947}), the
 * port defaulting to the gossip port. Parsing never does a lookup: a name is resolved later, by
 * the gossip layer, on every (re)join attempt (consul's {@code retry_join} takes the same two
 * forms).
 */
public sealed interface JoinEntry permits JoinEntry.Literal, JoinEntry.Name {
  int port();

  /** An IP address given as such; joined as it is. */
  record Literal(HostPort address) implements JoinEntry {
    @Override
    public int port() {
      return address.port();
    }

    @Override
    public String toString() {
      return address.toString();
    }
  }

  /**
   * A DNS name (RFC 1123 host name syntax, lower-cased, without a trailing dot) and the port of
   * every address it resolves to.
   */
  record Name(String name, int port) implements JoinEntry {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public Name {
      if (name == null || name.isEmpty() || name.length() > 253) {
        throw new IllegalArgumentException("'" + name + "' is not a host name (1..253 characters)");
      }
      String[] labels = name.split("\\.", -1);
      for (String l : labels) {
        if (!LABEL.matcher(l).matches()) {
          throw new IllegalArgumentException("'" + name + "' is not a host name: label '" + l
              + "' must be 1..63 letters, digits or '-', not starting or ending with '-'");
        }
      }
      if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
        // 10.0.0 or 10.0.0.1.5: a mistyped address, never a name (RFC 1123 2.1: top label is not numeric)
        throw new IllegalArgumentException("'" + name + "' is neither an IPv4 address nor a host name");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " is outside 1..65535");
      }
    }

    @Override
    public String toString() {
      return name + ":" + port;
    }
  }

  /**
   * Parses {@code ip}, {@code ip:port}, {@code [ipv6]}, {@code [ipv6]:port}, a bare IPv6 address,
   * {@code name} or {@code name:port}; a missing port is {@code defaultPort}. Throws with the
   * reason when the text is none of these.
   */
  static JoinEntry parse(String text, int defaultPort) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("'" + text + "' is not host:port");
    }
    String t = text.strip();
    int colon = t.indexOf(':');
    if (t.startsWith("[") || (colon >= 0 && t.indexOf(':', colon + 1) >= 0)) {
      return new Literal(HostPort.parse(t, defaultPort)); // IPv6, in brackets or bare
    }
    String host = colon < 0 ? t : t.substring(0, colon);
    if (host.matches("[0-9.]+")) {
      return new Literal(HostPort.parse(t, defaultPort)); // IPv4, or an error saying why not
    }
    int port = defaultPort;
    if (colon >= 0) {
      try {
        port = Integer.parseInt(t.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("'" + text + "' has a bad port (want 1..65535)");
      }
    }
    String name = host.toLowerCase(Locale.ROOT);
    return new Name(name.endsWith(".") ? name.substring(0, name.length() - 1) : name, port);
  }
}
