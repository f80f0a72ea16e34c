package io.vxmesh.net;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What a pod CIDR may be, as a pure predicate shared by the config loader (this host's own
 * {@code pod_cidr}, exit 78) and the gossip validator (another member's announced one,
 * {@code untrusted}). Every agent routes each member's pod CIDR into the VTEP, so a pod CIDR
 * that covers an underlay address steals that address's traffic: with one covering the underlay
 * subnet every pod ping failed and membership flapped (issue 12); {@code 0.0.0.0/0} would take
 * the whole table.
 *
 * <p>Rules, in the order the reasons are given:
 * <ol>
 *   <li>Length: IPv4 {@value #MIN_V4}..{@value #MAX_V4}. Shorter than /8 covers more than a
 *       sixteenth of the address space (no pod network needs that, and /0../7 are how a
 *       typo or an attacker takes every route); longer than /30 leaves no address for a pod
 *       next to the bridge gateway. IPv6 {@value #MIN_V6}..{@value #MAX_V6} for the same
 *       reasons.
 *   <li>Not inside address space that is never a pod's: {@code 0.0.0.0/8}, loopback
 *       {@code 127.0.0.0/8}, link-local {@code 169.254.0.0/16}, multicast and reserved
 *       {@code 224.0.0.0/3}.
 *   <li>No overlap (either way) with any {@link Reserved} prefix the caller knows of: host
 *       (underlay) IPs of this host and of members, the local underlay subnet, the VTEP
 *       prefix, the default route's gateway.
 * </ol>
 */
public final class PodCidrRules {
  public static final int MIN_V4 = 8;
  public static final int MAX_V4 = 30;
  public static final int MIN_V6 = 16;
  public static final int MAX_V6 = 126;

  private static final List<Reserved> NEVER_PODS = List.of(
      new Reserved("'this network' 0.0.0.0/8", IpPrefix.parse("0.0.0.0/8")),
      new Reserved("loopback 127.0.0.0/8", IpPrefix.parse("127.0.0.0/8")),
      new Reserved("link-local 169.254.0.0/16", IpPrefix.parse("169.254.0.0/16")),
      new Reserved("multicast/reserved 224.0.0.0/3", IpPrefix.parse("224.0.0.0/3")));

  private PodCidrRules() {}

  /**
   * Something a pod CIDR must stay clear of.
   *
   * @param what how to name it in a reason, e.g. "the host IP of node1" or "the underlay subnet"
   * @param prefix the address (as /32 or /128) or subnet
   */
  public record Reserved(String what, IpPrefix prefix) {
    /** An address that must stay outside: as /32 (or /128). */
    public static Reserved address(String what, java.net.InetAddress address) {
      return new Reserved(what, new IpPrefix(address, address.getAddress().length * 8));
    }
  }

  /**
   * Null when {@code pod} may be used, else the reason (one phrase, no trailing period), e.g.
   * {@code "10.211.55.0/25 contains the host IP 10.211.55.6 of node1"}.
   */
  public static String problem(IpPrefix pod, Collection<Reserved> reserved) {
    String shape = lengthProblem(pod);
    if (shape != null) {
      return shape;
    }
    IpPrefix net = pod.network();
    for (Reserved r : NEVER_PODS) {
      if (net.overlaps(r.prefix())) {
        return net + " overlaps " + r.what();
      }
    }
    for (Reserved r : reserved) {
      if (net.overlaps(r.prefix())) {
        int bits = r.prefix().address().getAddress().length * 8;
        return r.prefix().prefixLength() == bits
            ? net + " contains " + r.what() + " " + r.prefix().address().getHostAddress()
            : net + " overlaps " + r.what() + " " + r.prefix().network();
      }
    }
    return null;
  }

  /**
   * The gossip side's form: why another member's announced {@code podCidr} may not be a pod
   * CIDR ({@code "pod CIDR "} + {@link #problem(IpPrefix, Collection)}'s reason), or empty.
   *
   * @param hostIps every member's host (underlay) IP, the local one included
   * @param vtepPrefixes the shared VTEP subnets of the configured networks
   * @param underlaySubnets underlay subnets that must stay reachable directly (may be empty)
   */
  public static Optional<String> problem(IpPrefix podCidr, Collection<InetAddress> hostIps,
      Collection<IpPrefix> vtepPrefixes, Collection<IpPrefix> underlaySubnets) {
    return gossipProblem(podCidr, gossipReserved(hostIps, vtepPrefixes, underlaySubnets));
  }

  /**
   * What {@link #problem(IpPrefix, Collection, Collection, Collection)} checks against, built
   * once for many pod CIDRs (the validator checks every member's against every member's host IP:
   * building this per member made a 100-member view pass quadratic in allocations).
   */
  public static List<Reserved> gossipReserved(Collection<InetAddress> hostIps, Collection<IpPrefix> vtepPrefixes,
      Collection<IpPrefix> underlaySubnets) {
    List<Reserved> reserved = new ArrayList<>();
    for (InetAddress h : hostIps) {
      if (h != null) {
        reserved.add(Reserved.address("the host IP", h));
      }
    }
    vtepPrefixes.forEach(v -> reserved.add(new Reserved("the VTEP subnet", v.network())));
    underlaySubnets.forEach(u -> reserved.add(new Reserved("the underlay subnet", u.network())));
    return reserved;
  }

  /** The gossip side's form over a list from {@link #gossipReserved}. */
  public static Optional<String> gossipProblem(IpPrefix podCidr, Collection<Reserved> reserved) {
    String why = problem(podCidr, reserved);
    return why == null ? Optional.empty() : Optional.of("pod CIDR " + why);
  }

  /** Null when the prefix length is within the bounds above, else why not. */
  public static String lengthProblem(IpPrefix pod) {
    int min = pod.isIpv4() ? MIN_V4 : MIN_V6;
    int max = pod.isIpv4() ? MAX_V4 : MAX_V6;
    if (pod.prefixLength() < min) {
      return "/" + pod.prefixLength() + " is wider than /" + min + ", the widest pod CIDR allowed (it would take"
          + (pod.prefixLength() == 0 ? " every route" : " a large part of the address space") + ")";
    }
    if (pod.prefixLength() > max) {
      return "/" + pod.prefixLength() + " is narrower than /" + max + ", the narrowest pod CIDR allowed (no room for a"
          + " gateway and a pod)";
    }
    return null;
  }
}
