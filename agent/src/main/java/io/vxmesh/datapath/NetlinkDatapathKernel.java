package io.vxmesh.datapath;

import static io.vxmesh.datapath.Datapath.RTPROT_VXMESH;

import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.Fdb;
import io.vxmesh.netlink.Neigh;
import io.vxmesh.netlink.Netlink;
import io.vxmesh.netlink.NetlinkBatch;
import io.vxmesh.netlink.NetlinkEvent;
import io.vxmesh.netlink.NetlinkMonitor;
import io.vxmesh.netlink.Nexthop;
import io.vxmesh.netlink.Route;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link DatapathKernel} over vxmesh's rtnetlink ({@link Netlink}), in the current or a named
 * network namespace: the VTEP through the link/addr verbs, the dump through the list verbs,
 * every {@link #apply} as one {@link NetlinkBatch} (one operation per {@link Change}).
 */
public final class NetlinkDatapathKernel implements DatapathKernel {
  private static final Inet4Address ANY = IpAddresses.v4(new byte[4]);
  private final Netlink nl;
  private final String netns;

  private NetlinkDatapathKernel(Netlink nl, String netns) {
    this.nl = nl;
    this.netns = netns;
  }

  /** In the current network namespace (what the agent uses). */
  public static NetlinkDatapathKernel open() {
    return new NetlinkDatapathKernel(Netlink.open(), null);
  }

  /** Inside {@code /var/run/netns/NAME} (tests, benchmarks). */
  public static NetlinkDatapathKernel openIn(String netns) {
    return new NetlinkDatapathKernel(Netlink.openIn(netns), netns);
  }

  /** The underlying object layer (same socket; not thread-safe). */
  public Netlink netlink() {
    return nl;
  }

  @Override
  public int ensureVtep(VtepSpec spec) {
    return VtepDevice.ensure(nl, spec);
  }

  @Override
  public int ifindex(String device) {
    return nl.linkByName(device).map(l -> l.index()).orElse(-1);
  }

  @Override
  public int mtu(String device) {
    return nl.linkByName(device).map(l -> l.mtu()).orElse(-1);
  }

  @Override
  public KernelState dump(int ifindex) {
    Map<Inet4Address, MacAddress> neigh = new HashMap<>();
    for (Neigh n : nl.neighList(ifindex)) {
      if (n.permanent() && n.mac() != null && n.ip() instanceof Inet4Address ip) {
        neigh.put(ip, n.mac());
      }
    }
    Map<MacAddress, Inet4Address> fdb = new HashMap<>();
    for (Fdb f : nl.fdbList(ifindex)) {
      if (f.self() && !f.mac().isMulticast() && !f.mac().isZero() && f.dst() instanceof Inet4Address dst) {
        fdb.put(f.mac(), dst);
      }
    }
    Map<Integer, Inet4Address> nhs = new HashMap<>();
    Set<Integer> foreignNh = new HashSet<>();
    for (Nexthop n : nl.nexthopList()) {
      if (n.protocol() == RTPROT_VXMESH && n.index() == ifindex) {
        nhs.put(n.id(), n.onlink() && n.gateway() instanceof Inet4Address gw ? gw : ANY);
      } else {
        foreignNh.add(n.id());
      }
    }
    Map<IpPrefix, Integer> routes = new HashMap<>();
    Set<IpPrefix> foreign = new HashSet<>();
    for (Route r : nl.routeList()) {
      if (r.protocol() != RTPROT_VXMESH) {
        foreign.add(r.dst());
      } else if (r.index() == ifindex || nhs.containsKey(r.nhId())) {
        routes.put(r.dst(), r.nhId());
      }
    }
    return new KernelState(neigh, fdb, nhs, routes, foreign, foreignNh);
  }

  @Override
  public List<Failure> apply(int ifindex, List<Change> changes) {
    NetlinkBatch batch = nl.batch();
    for (Change c : changes) {
      add(batch, ifindex, c);
    }
    List<Failure> out = new ArrayList<>();
    for (NetlinkBatch.Failure f : batch.send()) {
      out.add(new Failure(f.index(), f.error().getMessage()));
    }
    return out;
  }

  /** Adds the one netlink operation a change stands for (its iproute2 line is on {@link Change}). */
  static void add(NetlinkBatch batch, int ifindex, Change c) {
    if (c instanceof Change.NeighSet n) {
      batch.neighReplace(ifindex, n.ip(), n.mac());
    } else if (c instanceof Change.FdbSet f) {
      batch.fdbReplace(ifindex, f.mac(), f.dst());
    } else if (c instanceof Change.NexthopSet n) {
      batch.nexthopReplace(new Nexthop(n.id(), n.gateway(), ifindex, true, RTPROT_VXMESH));
    } else if (c instanceof Change.RouteSet r) {
      batch.routeReplace(Route.viaNexthop(r.dst(), r.nexthopId(), RTPROT_VXMESH));
    } else if (c instanceof Change.RouteDel r) {
      batch.routeDel(r.dst(), RTPROT_VXMESH, Route.TABLE_MAIN);
    } else if (c instanceof Change.NexthopDel n) {
      batch.nexthopDel(n.id());
    } else if (c instanceof Change.FdbDel f) {
      batch.fdbDel(ifindex, f.mac(), f.dst());
    } else if (c instanceof Change.NeighDel n) {
      batch.neighDel(ifindex, n.ip());
    } else {
      throw new IllegalArgumentException("unknown change " + c);
    }
  }

  @Override
  public AutoCloseable watch(String device, Runnable wake) {
    AtomicInteger index = new AtomicInteger(ifindex(device));
    java.util.function.Consumer<NetlinkEvent> filter = e -> {
      if (concerns(e, device, index)) {
        wake.run();
      }
    };
    return netns == null ? NetlinkMonitor.start(filter) : NetlinkMonitor.startIn(netns, filter);
  }

  /** Does this notification touch the VTEP device or vxmesh's routes? Tracks the ifindex across recreation. */
  static boolean concerns(NetlinkEvent e, String device, AtomicInteger index) {
    int idx = index.get();
    if (e instanceof NetlinkEvent.LinkEvent l) {
      boolean named = device.equals(l.link().name());
      if (named && !l.deleted()) {
        index.set(l.link().index());
      }
      return named || l.link().index() == idx;
    } else if (e instanceof NetlinkEvent.AddressEvent a) {
      return a.address().index() == idx;
    } else if (e instanceof NetlinkEvent.NeighEvent n) {
      return n.neigh().index() == idx;
    } else if (e instanceof NetlinkEvent.FdbEvent f) {
      return f.fdb().index() == idx;
    } else if (e instanceof NetlinkEvent.RouteEvent r) {
      return r.route().protocol() == RTPROT_VXMESH || r.route().index() == idx;
    } else if (e instanceof NetlinkEvent.NexthopEvent n) {
      return n.nexthop().protocol() == RTPROT_VXMESH || n.nexthop().index() == idx;
    }
    return true; // Overrun: something may have been missed
  }

  @Override
  public void close() {
    nl.close();
  }
}
