package io.vxmesh.netlink;

import static io.vxmesh.netlink.nl.Rtnl.*;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.nl.Errno;
import io.vxmesh.netlink.nl.NetlinkSocket;
import io.vxmesh.netlink.nl.NlMessage;
import io.vxmesh.netlink.nl.NlMsg;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * rtnetlink objects and verbs, named object-then-verb after iproute2 (like vishvananda/netlink):
 * link*, addr*, neigh*, fdb*, nexthop*, route*; every method names its iproute2 equivalent.
 * Many neighbour/FDB/nexthop/route writes at once go through {@link #batch()}. Messages,
 * attributes and the socket are the wire layer's ({@code io.vxmesh.netlink.nl}); nothing here
 * hands them out. One instance owns one socket and is not thread-safe. Deleting something that
 * is already gone is success. Every failure is a {@link NetlinkException} naming the request,
 * errno and kernel message.
 */
public final class Netlink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Netlink.class);
  /** errnos meaning "the object to delete does not exist" (neigh/fdb/nexthop, route, link, addr). */
  private static final Set<Integer> GONE = Set.of(Errno.ENOENT, Errno.ESRCH, Errno.ENODEV, Errno.EADDRNOTAVAIL);

  private final NetlinkSocket sock;

  private Netlink(NetlinkSocket sock) {
    this.sock = sock;
  }

  /** A netlink socket in the current network namespace. */
  public static Netlink open() {
    return new Netlink(NetlinkSocket.open());
  }

  /**
   * A netlink socket inside {@code /var/run/netns/NAME}; it stays in that namespace for its
   * life (see {@link NetlinkSocket#openIn}).
   */
  public static Netlink openIn(String netns) {
    return new Netlink(NetlinkSocket.openIn(netns));
  }

  /** True when {@code e} is the answer to deleting an object that does not exist. */
  static boolean isGone(int requestType, NetlinkException e) {
    boolean del = requestType == RTM_DELLINK || requestType == RTM_DELADDR || requestType == RTM_DELNEIGH
        || requestType == RTM_DELROUTE || requestType == RTM_DELNEXTHOP;
    return del && GONE.contains(e.errno());
  }

  private void exec(NlMsg m, String what) {
    log.debug("netlink request op={} {}", typeName(m.type()), what);
    try {
      sock.request(m);
    } catch (NetlinkException e) {
      if (isGone(m.type(), e)) {
        return;
      }
      throw what.isEmpty() ? e : e.withOperation(typeName(m.type()) + " " + what);
    }
  }

  private <T> List<T> dump(NlMsg m, Function<NlMessage, T> decode, Predicate<T> keep) {
    List<T> out = new ArrayList<>();
    for (NlMessage r : sock.dump(m)) {
      T t = decode.apply(r);
      if (keep.test(t)) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * An empty {@link NetlinkBatch} on this socket: collect neighbour/FDB/nexthop/route replaces
   * and deletes, then send them pipelined with one result per operation.
   */
  public NetlinkBatch batch() {
    return new NetlinkBatch(sock);
  }

  // ---- link ----

  /** {@code ip -d link show NAME}; empty when there is no such device. */
  public Optional<Link> linkByName(String name) {
    return linkGet(RtCodec.linkGet(name), name);
  }

  /** {@code ip -d link show NAME}; throws {@code RTM_GETLINK NAME: ENODEV (no such device)} when absent. */
  public Link link(String name) {
    return linkByName(name).orElseThrow(() -> new NetlinkException("RTM_GETLINK " + name, Errno.ENODEV, "no such device"));
  }

  /** {@code ip -d link show} of one ifindex; empty when absent. */
  public Optional<Link> linkByIndex(int index) {
    return linkGet(RtCodec.linkGet(index), String.valueOf(index));
  }

  private Optional<Link> linkGet(NlMsg m, String what) {
    try {
      return sock.request(m).stream().filter(r -> r.type() == RTM_NEWLINK).findFirst().map(RtCodec::link);
    } catch (NetlinkException e) {
      if (e.errno() == Errno.ENODEV) {
        return Optional.empty();
      }
      throw e.withOperation("RTM_GETLINK " + what);
    }
  }

  /** {@code ip -d link show}. */
  public List<Link> linkList() {
    return dump(RtCodec.linkDump(), RtCodec::link, l -> true);
  }

  /**
   * {@code ip link add NAME [address MAC] [mtu MTU] type vxlan id VNI dstport PORT local LOCAL
   * dev UNDERLAY [no]learning} (vxlan is the only kind vxmesh creates); returns the new link.
   */
  public Link linkAdd(String name, VxlanInfo vx, MacAddress mac, int mtu) {
    exec(RtCodec.linkAdd(name, vx, mac, mtu), name);
    return link(name);
  }

  /** {@code ip link set dev IDX address MAC}. */
  public void linkSetMac(int index, MacAddress mac) {
    exec(RtCodec.linkSetMac(index, mac), "dev " + index + " address " + mac);
  }

  /** {@code ip link set dev IDX mtu MTU}. */
  public void linkSetMtu(int index, int mtu) {
    exec(RtCodec.linkSetMtu(index, mtu), "dev " + index + " mtu " + mtu);
  }

  /** {@code ip link set dev IDX up}. */
  public void linkSetUp(int index) {
    exec(RtCodec.linkSetUp(index, true), "dev " + index + " up");
  }

  /** {@code ip link set dev IDX down}. */
  public void linkSetDown(int index) {
    exec(RtCodec.linkSetUp(index, false), "dev " + index + " down");
  }

  /** {@code ip link del dev IDX}; absent is success. */
  public void linkDel(int index) {
    exec(RtCodec.linkDel(index), "dev " + index);
  }

  // ---- address ----

  /** {@code ip addr replace PREFIX dev IDX}. */
  public void addrReplace(int index, IpPrefix prefix) {
    exec(RtCodec.addrReplace(index, prefix), prefix + " dev " + index);
  }

  /** {@code ip addr del PREFIX dev IDX}; absent is success. */
  public void addrDel(int index, IpPrefix prefix) {
    exec(RtCodec.addrDel(index, prefix), prefix + " dev " + index);
  }

  /** {@code ip -4 addr show [dev IDX]} (index 0: all devices). */
  public List<Address> addrList(int index) {
    return dump(RtCodec.addrDump(), RtCodec::address, a -> a.prefix() != null && (index == 0 || a.index() == index));
  }

  // ---- neighbour ----

  /** {@code ip neigh replace IP lladdr MAC dev IDX nud permanent}. */
  public void neighReplace(int index, InetAddress ip, MacAddress mac) {
    exec(RtCodec.neighReplace(index, ip, mac), ip.getHostAddress() + " lladdr " + mac + " dev " + index);
  }

  /** {@code ip neigh del IP dev IDX}; absent is success. */
  public void neighDel(int index, InetAddress ip) {
    exec(RtCodec.neighDel(index, ip), ip.getHostAddress() + " dev " + index);
  }

  /** {@code ip -4 neigh show [dev IDX]} (index 0: all devices). */
  public List<Neigh> neighList(int index) {
    return dump(RtCodec.neighDump(), RtCodec::neigh, n -> n.ip() != null && (index == 0 || n.index() == index));
  }

  // ---- FDB ----

  /** {@code bridge fdb replace MAC dst DST dev IDX self permanent}. */
  public void fdbReplace(int index, MacAddress mac, InetAddress dst) {
    exec(RtCodec.fdbReplace(index, mac, dst), mac + " dst " + dst.getHostAddress() + " dev " + index);
  }

  /** {@code bridge fdb append MAC dst DST dev IDX self permanent} (flood entries). */
  public void fdbAppend(int index, MacAddress mac, InetAddress dst) {
    exec(RtCodec.fdbAppend(index, mac, dst), mac + " dst " + dst.getHostAddress() + " dev " + index);
  }

  /** {@code bridge fdb del MAC [dst DST] dev IDX self}; absent is success. */
  public void fdbDel(int index, MacAddress mac, InetAddress dst) {
    exec(RtCodec.fdbDel(index, mac, dst), mac + " dev " + index);
  }

  /** {@code bridge fdb show [dev IDX]} (index 0: all devices). */
  public List<Fdb> fdbList(int index) {
    return dump(RtCodec.fdbDump(), RtCodec::fdb, f -> f.mac() != null && (index == 0 || f.index() == index));
  }

  // ---- nexthop ----

  /** {@code ip nexthop replace id ID via GW dev IDX [onlink] proto PROTO}. */
  public void nexthopReplace(Nexthop nh) {
    exec(RtCodec.nexthopReplace(nh), "id " + Integer.toUnsignedString(nh.id()));
  }

  /** {@code ip nexthop del id ID}; absent is success. */
  public void nexthopDel(int id) {
    exec(RtCodec.nexthopDel(id), "id " + Integer.toUnsignedString(id));
  }

  /** {@code ip nexthop show}. */
  public List<Nexthop> nexthopList() {
    return dump(RtCodec.nexthopDump(), RtCodec::nexthop, n -> n != null);
  }

  // ---- route ----

  /** {@code ip route replace DST nhid ID proto P} or {@code ip route replace DST via GW dev IDX [onlink] proto P}. */
  public void routeReplace(Route r) {
    exec(RtCodec.routeReplace(r), r.dst().toString());
  }

  /** {@code ip route del DST proto P table T}; absent is success; never hits another protocol's route. */
  public void routeDel(IpPrefix dst, int protocol, int table) {
    exec(RtCodec.routeDel(dst, protocol, table), dst + " proto " + protocol);
  }

  /** {@code ip -4 route show table main} (unicast routes of the main table only). */
  public List<Route> routeList() {
    List<Route> out = new ArrayList<>();
    for (NlMessage m : sock.dump(RtCodec.routeDump(RT_TABLE_MAIN, 0))) {
      Route r = RtCodec.route(m);
      if (RtCodec.routeType(m) == RTN_UNICAST && r.table() == RT_TABLE_MAIN) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public void close() {
    sock.close();
  }
}
