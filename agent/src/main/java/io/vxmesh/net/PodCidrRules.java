package io.vxmesh.net;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What a pod CIDR may not be, wherever it comes from (a config file or a peer's announcement).
 * A pod CIDR becomes a route via the VTEP on every host, so one that covers an underlay address
 * pulls the mesh's own gossip and VXLAN traffic into the tunnel (issue 12, attack 4: a /32 over
 * another host's IP, or a /25 over the underlay, cut every pod off), one that covers the VTEP
 * subnet shadows the peers' VTEP IPs, and /0 replaces the default route.
 *
 * <p>Pure: the caller passes every address that matters. Rules, first match reported:
 * <ol>
 *   <li>prefix shorter than {@link #MIN_V4_PREFIX} (IPv4) or {@link #MIN_V6_PREFIX} (IPv6),
 *       /0 included: "absurd" — no host runs that many pods, and it would swallow the default
 *       route;
 *   <li>overlaps a reserved block (loopback, link-local, multicast, "this network", broadcast):
 *       the kernel routes those itself;
 *   <li>contains a member's host (underlay) IP;
 *   <li>overlaps a VTEP prefix;
 *   <li>overlaps an underlay subnet (the local host's, when known).
 * </ol>
 */
public final class PodCidrRules {
  /** Shortest IPv4 pod CIDR accepted: a /8 is already 16 M addresses. */
  public static final int MIN_V4_PREFIX = 8;
  /** Shortest IPv6 pod CIDR accepted. */
  public static final int MIN_V6_PREFIX = 16;

  private static final List<IpPrefix> RESERVED = List.of(
      IpPrefix.parse("0.0.0.0/8"),
      IpPrefix.parse("127.0.0.0/8"),
      IpPrefix.parse("169.254.0.0/16"),
      IpPrefix.parse("224.0.0.0/4"),
      IpPrefix.parse("255.255.255.255/32"),
      IpPrefix.parse("::1/128"),
      IpPrefix.parse("fe80::/10"),
      IpPrefix.parse("ff00::/8"));

  private PodCidrRules() {}

  /**
   * Why {@code podCidr} may not be a pod CIDR, or empty when it may.
   *
   * @param hostIps every member's host (underlay) IP, the local one included
   * @param vtepPrefixes the shared VTEP subnets of the configured networks
   * @param underlaySubnets underlay subnets that must stay reachable directly (may be empty)
   */
  public static Optional<String> problem(IpPrefix podCidr, Collection<InetAddress> hostIps,
      Collection<IpPrefix> vtepPrefixes, Collection<IpPrefix> underlaySubnets) {
    IpPrefix p = podCidr.network();
    int min = p.isIpv4() ? MIN_V4_PREFIX : MIN_V6_PREFIX;
    if (p.prefixLength() == 0) {
      return Optional.of("pod CIDR " + p + " is the default route");
    }
    if (p.prefixLength() < min) {
      return Optional.of("pod CIDR " + p + " is absurdly large (shorter than /" + min + ")");
    }
    for (IpPrefix r : RESERVED) {
      if (r.isIpv4() == p.isIpv4() && r.overlaps(p)) {
        return Optional.of("pod CIDR " + p + " overlaps the reserved block " + r);
      }
    }
    for (InetAddress h : hostIps) {
      if (h != null && p.contains(h)) {
        return Optional.of("pod CIDR " + p + " contains the host IP " + h.getHostAddress());
      }
    }
    for (IpPrefix v : vtepPrefixes) {
      if (v.isIpv4() == p.isIpv4() && v.network().overlaps(p)) {
        return Optional.of("pod CIDR " + p + " overlaps the VTEP subnet " + v.network());
      }
    }
    for (IpPrefix u : underlaySubnets) {
      if (u.isIpv4() == p.isIpv4() && u.network().overlaps(p)) {
        return Optional.of("pod CIDR " + p + " overlaps the underlay subnet " + u.network());
      }
    }
    return Optional.empty();
  }
}
