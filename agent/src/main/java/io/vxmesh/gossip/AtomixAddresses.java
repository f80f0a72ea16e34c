package io.vxmesh.gossip;

import io.atomix.utils.net.Address;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import java.net.InetAddress;

/** {@link HostPort} to and from Atomix's {@link Address}, always keyed by IP. */
final class AtomixAddresses {
  private AtomixAddresses() {}

  /**
   * The IP and port of an Atomix address. Uses the IP, not {@code host()}: Atomix's TCP decoder
   * fills host with a reverse-DNS name ("localhost"), which would never match a configured seed.
   */
  static HostPort hostPort(Address a) {
    InetAddress ip = a.address();
    return new HostPort(ip != null ? ip : IpAddresses.parse(a.host()), a.port());
  }

  /** The Atomix address of {@code hp}, resolved already (no DNS). */
  static Address address(HostPort hp) {
    return new Address(hp.host().getHostAddress(), hp.port(), hp.host());
  }
}
