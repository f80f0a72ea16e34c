package io.vxmesh.datapath;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.Inet4Address;

/**
 * One change to the kernel on the VTEP device, as computed by {@link DatapathDiff}. The
 * {@link #phase()} orders a plan: sets go neighbour → FDB → nexthop → route, removals go the
 * other way (a route is gone before its nexthop, the nexthop before the neighbour it needs).
 * {@code peer} names the peer the change is for ("" for removing an orphan).
 */
public sealed interface Change {
  String peer();

  /** 0..7, the order in which a plan applies its changes. */
  int phase();

  /** iproute2-style text, for logs and errors. */
  String describe();

  /** {@code ip neigh replace IP lladdr MAC dev VTEP nud permanent}. */
  record NeighSet(String peer, Inet4Address ip, MacAddress mac) implements Change {
    public int phase() {
      return 0;
    }

    public String describe() {
      return "neigh replace " + ip.getHostAddress() + " lladdr " + mac;
    }
  }

  /** {@code bridge fdb replace MAC dst DST dev VTEP self permanent}. */
  record FdbSet(String peer, MacAddress mac, Inet4Address dst) implements Change {
    public int phase() {
      return 1;
    }

    public String describe() {
      return "fdb replace " + mac + " dst " + dst.getHostAddress();
    }
  }

  /** {@code ip nexthop replace id ID via GW dev VTEP onlink proto 118}. */
  record NexthopSet(String peer, int id, Inet4Address gateway) implements Change {
    public int phase() {
      return 2;
    }

    public String describe() {
      return "nexthop replace id " + Integer.toUnsignedString(id) + " via " + gateway.getHostAddress();
    }
  }

  /** {@code ip route replace DST nhid ID proto 118}. */
  record RouteSet(String peer, IpPrefix dst, int nexthopId) implements Change {
    public int phase() {
      return 3;
    }

    public String describe() {
      return "route replace " + dst + " nhid " + Integer.toUnsignedString(nexthopId);
    }
  }

  /** {@code ip route del DST proto 118}. */
  record RouteDel(String peer, IpPrefix dst) implements Change {
    public int phase() {
      return 4;
    }

    public String describe() {
      return "route del " + dst;
    }
  }

  /** {@code ip nexthop del id ID}. */
  record NexthopDel(String peer, int id) implements Change {
    public int phase() {
      return 5;
    }

    public String describe() {
      return "nexthop del id " + Integer.toUnsignedString(id);
    }
  }

  /** {@code bridge fdb del MAC [dst DST] dev VTEP self}; a null dst removes the MAC's entry whatever its dst. */
  record FdbDel(String peer, MacAddress mac, Inet4Address dst) implements Change {
    public int phase() {
      return 6;
    }

    public String describe() {
      return "fdb del " + mac;
    }
  }

  /** {@code ip neigh del IP dev VTEP}. */
  record NeighDel(String peer, Inet4Address ip) implements Change {
    public int phase() {
      return 7;
    }

    public String describe() {
      return "neigh del " + ip.getHostAddress();
    }
  }
}
