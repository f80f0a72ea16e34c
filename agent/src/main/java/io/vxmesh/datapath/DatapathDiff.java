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
 * values in, values out. Each peer needs exactly four objects (see {@link Peer}): a permanent
 * neighbour vtepIp → vtepMac (so the kernel never ARPs across the overlay), an FDB entry
 * vtepMac → hostIp (so the vxlan device knows which host to encapsulate to), a nexthop object
 * "via vtepIp onlink" and a route podCidr → that nexthop. The route goes through a nexthop
 * object rather than carrying its own gateway because plain routes with distinct gateways on
 * one device cost O(N²) in the kernel (FACTS.md); the nexthop id is the peer's VTEP IPv4
 * address as an unsigned 32-bit number, so it is stable across restarts and derivable from the
 * peer alone.
 */
public final class DatapathDiff {
  private DatapathDiff() {}

  /**
   * The plan: changes sorted by {@link Change#phase()}, object counts, and per peer: peers that
   * had none of their objects ({@code addedPeers}), peers with some object missing or different
   * ({@code changedPeers}), removed peers named by their VTEP IP (the kernel keeps no names;
   * a MAC or CIDR when no IP is known) ({@code removedPeers}), and peers refused before any
   * kernel call (inconsistent with other peers or with a foreign route).
   */
  public record Plan(List<Change> changes, int added, int changed, int removed, int unchanged, List<PeerError> refused,
      List<String> addedPeers, List<String> changedPeers, List<String> removedPeers) {
    public Plan {
      changes = List.copyOf(changes);
      refused = List.copyOf(refused);
      addedPeers = List.copyOf(addedPeers);
      changedPeers = List.copyOf(changedPeers);
      removedPeers = List.copyOf(removedPeers);
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
   * taken by an earlier peer, whose pod CIDR is not a network, whose pod CIDR is routed by a
   * foreign route or whose nexthop id is taken by a foreign nexthop, is refused (reported; what
   * does not collide is still written); everything else still converges.
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
    List<String> addedPeers = new ArrayList<>();
    List<String> changedPeers = new ArrayList<>();
    for (Peer p : peers) {
      int[] before = n.clone();
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
      if (dumped.foreignNexthops().contains(id)) {
        refused.add(new PeerError(p.name(), "nexthop replace id " + Integer.toUnsignedString(id),
            "nexthop id " + Integer.toUnsignedString(id) + " belongs to someone else; vxmesh does not replace it"));
        classify(p.name(), before, n, addedPeers, changedPeers);
        continue;
      }
      wantNh.put(id, p.vtepIp());
      count(n, dumped.nexthops().get(id), p.vtepIp(), out, new Change.NexthopSet(p.name(), id, p.vtepIp()));
      if (dumped.foreignRoutes().contains(p.podCidr())) {
        refused.add(new PeerError(p.name(), "route replace " + p.podCidr(),
            "a route to " + p.podCidr() + " with another protocol exists; vxmesh does not replace it"));
        classify(p.name(), before, n, addedPeers, changedPeers);
        continue;
      }
      cidrs.add(p.podCidr());
      count(n, dumped.routes().get(p.podCidr()), id, out, new Change.RouteSet(p.name(), p.podCidr(), id));
      classify(p.name(), before, n, addedPeers, changedPeers);
    }
    int removed = 0;
    Set<String> removedPeers = new java.util.TreeSet<>();
    if (allowRemove) {
      Map<MacAddress, Inet4Address> ipByMac = new HashMap<>();
      dumped.neighbours().forEach((ip, mac) -> ipByMac.put(mac, ip));
      for (IpPrefix r : dumped.routes().keySet()) {
        if (!cidrs.contains(r)) {
          out.add(new Change.RouteDel("", r));
          Inet4Address gw = dumped.nexthops().get(dumped.routes().get(r));
          removedPeers.add(gw != null ? gw.getHostAddress() : r.toString());
          removed++;
        }
      }
      for (Integer id : dumped.nexthops().keySet()) {
        if (!wantNh.containsKey(id)) {
          out.add(new Change.NexthopDel("", id));
          Inet4Address gw = dumped.nexthops().get(id);
          removedPeers.add(gw.isAnyLocalAddress() ? "nexthop " + Integer.toUnsignedString(id) : gw.getHostAddress());
          removed++;
        }
      }
      for (Map.Entry<MacAddress, Inet4Address> f : dumped.fdb().entrySet()) {
        if (!macs.contains(f.getKey())) {
          out.add(new Change.FdbDel("", f.getKey(), f.getValue()));
          Inet4Address ip = ipByMac.get(f.getKey());
          removedPeers.add(ip != null ? ip.getHostAddress() : f.getKey().toString());
          removed++;
        }
      }
      for (Inet4Address ip : dumped.neighbours().keySet()) {
        if (!ips.contains(ip)) {
          out.add(new Change.NeighDel("", ip));
          removedPeers.add(ip.getHostAddress());
          removed++;
        }
      }
    }
    out.sort(Comparator.comparingInt(Change::phase)); // stable: name order within a phase
    return new Plan(out, n[0], n[1], removed, n[2], refused, addedPeers, changedPeers, new ArrayList<>(removedPeers));
  }

  private static void classify(String peer, int[] before, int[] n, List<String> addedPeers, List<String> changedPeers) {
    boolean added = n[0] > before[0];
    boolean changed = n[1] > before[1];
    boolean unchanged = n[2] > before[2];
    if (added && !changed && !unchanged) {
      addedPeers.add(peer);
    } else if (added || changed) {
      changedPeers.add(peer);
    }
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

  /** The changes that install one peer, in order: neighbour → FDB → nexthop → route (replace semantics). */
  public static List<Change> install(Peer p) {
    int id = nexthopId(p.vtepIp());
    return List.of(new Change.NeighSet(p.name(), p.vtepIp(), p.vtepMac()), new Change.FdbSet(p.name(), p.vtepMac(), p.hostIp()),
        new Change.NexthopSet(p.name(), id, p.vtepIp()), new Change.RouteSet(p.name(), p.podCidr(), id));
  }

  /**
   * The changes that remove one peer, in reverse order: route → nexthop → FDB → neighbour. The
   * FDB delete names no dst, so the MAC's entry goes whatever host it points at now.
   */
  public static List<Change> remove(Peer p) {
    return List.of(new Change.RouteDel(p.name(), p.podCidr()), new Change.NexthopDel(p.name(), nexthopId(p.vtepIp())),
        new Change.FdbDel(p.name(), p.vtepMac(), null), new Change.NeighDel(p.name(), p.vtepIp()));
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
