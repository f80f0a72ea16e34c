package io.vxmesh.datapath;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure diff of the desired peers against the owned kernel state of one VTEP device: no I/O,
 * values in, values out. Each peer needs exactly (see {@link Peer}): a permanent neighbour
 * vtepIp → vtepMac (so the kernel never ARPs across the overlay), an FDB entry vtepMac →
 * hostIp (so the vxlan device knows which host to encapsulate to), and a route podCidr via
 * vtepIp onlink. The route goes through one nexthop object per peer, because plain routes with
 * distinct gateways on one device cost O(N²) in the kernel (FACTS.md); the nexthop id is the
 * peer's VTEP IPv4 address as an unsigned 32-bit number, so it is stable across restarts and
 * derivable from the peer alone.
 */
public final class DatapathDiff {
  private DatapathDiff() {}

  /**
   * The plan: changes sorted by {@link Change#phase()}, counts, and peers refused before any
   * kernel call (inconsistent with other peers or with a foreign route).
   */
  public record Plan(List<Change> changes, int added, int changed, int removed, int unchanged, List<PeerError> refused) {
    public Plan {
      changes = List.copyOf(changes);
      refused = List.copyOf(refused);
    }
  }

  /** The nexthop id of a peer with this VTEP IP (its address as an unsigned 32-bit number). */
  public static int nexthopId(Inet4Address vtepIp) {
    byte[] b = vtepIp.getAddress();
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }

  /**
   * Computes the changes that make {@code dumped} match {@code desired}. With
   * {@code allowRemove=false} nothing is deleted (before the first complete membership view).
   * Peers are processed in name order; a peer whose VTEP IP, VTEP MAC or pod CIDR is already
   * taken by an earlier peer, whose pod CIDR is not a network, or whose pod CIDR is routed by a
   * foreign route, is refused (reported, not installed); everything else still converges.
   */
  public static Plan compute(java.util.Collection<Peer> desired, KernelState dumped, boolean allowRemove) {
    List<Peer> peers = new ArrayList<>(desired);
    peers.sort(Comparator.comparing(Peer::name));
    List<Change> out = new ArrayList<>();
    List<PeerError> refused = new ArrayList<>();
    Set<Inet4Address> ips = new HashSet<>();
    Set<MacAddress> macs = new HashSet<>();
    Set<IpPrefix> cidrs = new HashSet<>();
    Map<Integer, Inet4Address> wantNh = new HashMap<>();
    int[] n = new int[3]; // added, changed, unchanged
    for (Peer p : peers) {
      String why = invalid(p, ips, macs, cidrs);
      if (why != null) {
        refused.add(new PeerError(p.name(), "peer " + p.vtepIp().getHostAddress(), why));
        continue;
      }
      ips.add(p.vtepIp());
      macs.add(p.vtepMac());
      count(n, dumped.neighbours().get(p.vtepIp()), p.vtepMac(), out, new Change.NeighSet(p.name(), p.vtepIp(), p.vtepMac()));
      count(n, dumped.fdb().get(p.vtepMac()), p.hostIp(), out, new Change.FdbSet(p.name(), p.vtepMac(), p.hostIp()));
      int id = nexthopId(p.vtepIp());
      wantNh.put(id, p.vtepIp());
      count(n, dumped.nexthops().get(id), p.vtepIp(), out, new Change.NexthopSet(p.name(), id, p.vtepIp()));
      if (dumped.foreignRoutes().contains(p.podCidr())) {
        refused.add(new PeerError(p.name(), "route replace " + p.podCidr(),
            "a route to " + p.podCidr() + " with another protocol exists; vxmesh does not replace it"));
        continue;
      }
      cidrs.add(p.podCidr());
      count(n, dumped.routes().get(p.podCidr()), id, out, new Change.RouteSet(p.name(), p.podCidr(), id));
    }
    int removed = 0;
    if (allowRemove) {
      for (IpPrefix r : dumped.routes().keySet()) {
        if (!cidrs.contains(r)) {
          out.add(new Change.RouteDel("", r));
          removed++;
        }
      }
      for (Integer id : dumped.nexthops().keySet()) {
        if (!wantNh.containsKey(id)) {
          out.add(new Change.NexthopDel("", id));
          removed++;
        }
      }
      for (Map.Entry<MacAddress, Inet4Address> f : dumped.fdb().entrySet()) {
        if (!macs.contains(f.getKey())) {
          out.add(new Change.FdbDel("", f.getKey(), f.getValue()));
          removed++;
        }
      }
      for (Inet4Address ip : dumped.neighbours().keySet()) {
        if (!ips.contains(ip)) {
          out.add(new Change.NeighDel("", ip));
          removed++;
        }
      }
    }
    out.sort(Comparator.comparingInt(Change::phase)); // stable: name order within a phase
    return new Plan(out, n[0], n[1], removed, n[2], refused);
  }

  private static void count(int[] n, Object have, Object want, List<Change> out, Change c) {
    if (have == null) {
      n[0]++;
      out.add(c);
    } else if (!have.equals(want)) {
      n[1]++;
      out.add(c);
    } else {
      n[2]++;
    }
  }

  private static String invalid(Peer p, Set<Inet4Address> ips, Set<MacAddress> macs, Set<IpPrefix> cidrs) {
    if (p.vtepIp() == null || p.vtepMac() == null || p.hostIp() == null || p.podCidr() == null) {
      return "incomplete announcement";
    }
    if (!p.podCidr().isIpv4() || !p.podCidr().isNetwork()) {
      return "pod CIDR " + p.podCidr() + " is not an IPv4 network address";
    }
    if (p.vtepMac().isMulticast() || p.vtepMac().isZero()) {
      return "VTEP MAC " + p.vtepMac() + " is not a unicast address";
    }
    if (nexthopId(p.vtepIp()) == 0) {
      return "VTEP IP 0.0.0.0";
    }
    if (ips.contains(p.vtepIp())) {
      return "VTEP IP " + p.vtepIp().getHostAddress() + " is used by another peer";
    }
    if (macs.contains(p.vtepMac())) {
      return "VTEP MAC " + p.vtepMac() + " is used by another peer";
    }
    if (cidrs.contains(p.podCidr())) {
      return "pod CIDR " + p.podCidr() + " is used by another peer";
    }
    return null;
  }

  /** Per-peer view of what is installed, for the Routes API. */
  public static PeerStatus status(Peer p, KernelState s) {
    boolean neigh = p.vtepMac().equals(s.neighbours().get(p.vtepIp()));
    boolean fdb = p.hostIp().equals(s.fdb().get(p.vtepMac()));
    int id = nexthopId(p.vtepIp());
    boolean route = p.vtepIp().equals(s.nexthops().get(id)) && Integer.valueOf(id).equals(s.routes().get(p.podCidr()));
    return new PeerStatus(p.name(), neigh, fdb, route);
  }
}
