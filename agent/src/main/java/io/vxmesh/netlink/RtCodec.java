package io.vxmesh.netlink;

import static io.vxmesh.netlink.nl.Rtnl.*;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.nl.Ifaddrmsg;
import io.vxmesh.netlink.nl.Ifinfomsg;
import io.vxmesh.netlink.nl.Ndmsg;
import io.vxmesh.netlink.nl.Nhmsg;
import io.vxmesh.netlink.nl.NlAttrs;
import io.vxmesh.netlink.nl.NlMessage;
import io.vxmesh.netlink.nl.NlMsg;
import io.vxmesh.netlink.nl.Rtmsg;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The objects on the wire: one request per verb (the family header from {@code nl}, then the
 * attributes the object needs) and one decoder per value record. No I/O, so it is tested
 * byte for byte without root. Each request names the iproute2 command it is equivalent to.
 * Shared by {@link Netlink} (one request at a time) and {@link NetlinkBatch} (pipelined), so a
 * verb and its batched form always send the same bytes.
 */
final class RtCodec {
  private static final int CREATE_REPLACE = NLM_F_CREATE | NLM_F_REPLACE;

  private RtCodec() {}

  // ---- link ----

  private static NlMsg ifinfo(int type, int flags, int index, int ifFlags, int change) {
    return new Ifinfomsg(AF_UNSPEC, 0, index, ifFlags, change).request(type, flags);
  }

  /** {@code ip link show NAME}. */
  static NlMsg linkGet(String name) {
    return ifinfo(RTM_GETLINK, 0, 0, 0, 0).attrString(IFLA_IFNAME, name);
  }

  /** {@code ip link show} of one ifindex. */
  static NlMsg linkGet(int index) {
    return ifinfo(RTM_GETLINK, 0, index, 0, 0);
  }

  /** Dump request for {@code ip link show}. */
  static NlMsg linkDump() {
    return ifinfo(RTM_GETLINK, 0, 0, 0, 0);
  }

  /**
   * {@code ip link add NAME [address MAC] [mtu MTU] type vxlan id VNI dstport PORT local LOCAL
   * dev UNDERLAY nolearning}.
   */
  static NlMsg linkAdd(String name, VxlanInfo vx, MacAddress mac, int mtu) {
    NlMsg m = ifinfo(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0).attrString(IFLA_IFNAME, name);
    if (mac != null) {
      m.attr(IFLA_ADDRESS, mac.bytes());
    }
    if (mtu > 0) {
      m.attrU32(IFLA_MTU, mtu);
    }
    int info = m.nestStart(IFLA_LINKINFO);
    m.attrString(IFLA_INFO_KIND, "vxlan");
    int data = m.nestStart(IFLA_INFO_DATA);
    m.attrU32(IFLA_VXLAN_ID, vx.vni());
    if (vx.local() != null) {
      m.attrAddr(IFLA_VXLAN_LOCAL, vx.local());
    }
    if (vx.underlayIndex() > 0) {
      m.attrU32(IFLA_VXLAN_LINK, vx.underlayIndex());
    }
    m.attrBe16(IFLA_VXLAN_PORT, vx.port());
    m.attrU8(IFLA_VXLAN_LEARNING, vx.learning() ? 1 : 0);
    m.nestEnd(data);
    return m.nestEnd(info);
  }

  /** {@code ip link set dev IDX address MAC}. */
  static NlMsg linkSetMac(int index, MacAddress mac) {
    return ifinfo(RTM_NEWLINK, 0, index, 0, 0).attr(IFLA_ADDRESS, mac.bytes());
  }

  /** {@code ip link set dev IDX mtu MTU}. */
  static NlMsg linkSetMtu(int index, int mtu) {
    return ifinfo(RTM_NEWLINK, 0, index, 0, 0).attrU32(IFLA_MTU, mtu);
  }

  /** {@code ip link set dev IDX up} / {@code down}. */
  static NlMsg linkSetUp(int index, boolean up) {
    return ifinfo(RTM_NEWLINK, 0, index, up ? IFF_UP : 0, IFF_UP);
  }

  /** {@code ip link del dev IDX}. */
  static NlMsg linkDel(int index) {
    return ifinfo(RTM_DELLINK, 0, index, 0, 0);
  }

  static Link link(NlMessage m) {
    Ifinfomsg h = Ifinfomsg.decode(m);
    NlAttrs a = m.attrs(Ifinfomsg.SIZE);
    NlAttrs info = a.nested(IFLA_LINKINFO);
    String kind = info.string(IFLA_INFO_KIND);
    VxlanInfo vx = null;
    if ("vxlan".equals(kind)) {
      NlAttrs d = info.nested(IFLA_INFO_DATA);
      InetAddress local = d.addr(IFLA_VXLAN_LOCAL);
      vx = new VxlanInfo(d.u32(IFLA_VXLAN_ID, 0), d.be16(IFLA_VXLAN_PORT, 0),
          local instanceof Inet4Address l ? l : null, d.u32(IFLA_VXLAN_LINK, 0), d.u8(IFLA_VXLAN_LEARNING, 1) != 0);
    }
    return new Link(h.index(), a.string(IFLA_IFNAME), kind, mac(a.bytes(IFLA_ADDRESS)), a.u32(IFLA_MTU, 0), h.flags(), vx);
  }

  // ---- address ----

  private static NlMsg ifaddr(int type, int flags, IpPrefix p, int index) {
    return new Ifaddrmsg(family(p.address()), p.prefixLength(), 0, 0, index).request(type, flags)
        .attrAddr(IFA_LOCAL, p.address()).attrAddr(IFA_ADDRESS, p.address());
  }

  /** {@code ip addr replace PREFIX dev IDX}. */
  static NlMsg addrReplace(int index, IpPrefix p) {
    return ifaddr(RTM_NEWADDR, CREATE_REPLACE, p, index);
  }

  /** {@code ip addr del PREFIX dev IDX}. */
  static NlMsg addrDel(int index, IpPrefix p) {
    return ifaddr(RTM_DELADDR, 0, p, index);
  }

  /** Dump request for {@code ip -4 addr show}. */
  static NlMsg addrDump() {
    return new Ifaddrmsg(AF_INET, 0, 0, 0, 0).request(RTM_GETADDR, 0);
  }

  static Address address(NlMessage m) {
    Ifaddrmsg h = Ifaddrmsg.decode(m);
    NlAttrs a = m.attrs(Ifaddrmsg.SIZE);
    InetAddress ip = a.has(IFA_LOCAL) ? a.addr(IFA_LOCAL) : a.addr(IFA_ADDRESS);
    return new Address(h.index(), ip == null ? null : new IpPrefix(ip, h.prefixLen()));
  }

  // ---- neighbour and FDB ----

  private static NlMsg nd(int type, int flags, int family, int index, int state, int ntf) {
    return new Ndmsg(family, index, state, ntf, 0).request(type, flags);
  }

  /** {@code ip neigh replace IP lladdr MAC dev IDX nud permanent}. */
  static NlMsg neighReplace(int index, InetAddress ip, MacAddress mac) {
    return nd(RTM_NEWNEIGH, CREATE_REPLACE, family(ip), index, NUD_PERMANENT, 0)
        .attrAddr(NDA_DST, ip).attr(NDA_LLADDR, mac.bytes());
  }

  /** {@code ip neigh del IP dev IDX}. */
  static NlMsg neighDel(int index, InetAddress ip) {
    return nd(RTM_DELNEIGH, 0, family(ip), index, 0, 0).attrAddr(NDA_DST, ip);
  }

  /** Dump request for {@code ip -4 neigh show}. */
  static NlMsg neighDump() {
    return nd(RTM_GETNEIGH, 0, AF_INET, 0, 0, 0);
  }

  static Neigh neigh(NlMessage m) {
    Ndmsg h = Ndmsg.decode(m);
    NlAttrs a = m.attrs(Ndmsg.SIZE);
    return new Neigh(h.index(), a.addr(NDA_DST), mac(a.bytes(NDA_LLADDR)), h.state());
  }

  /**
   * {@code bridge fdb replace MAC dst DST dev IDX self permanent} (NLM_F_REPLACE: a unicast
   * entry's dst is only changed by replace, never by append).
   */
  static NlMsg fdbReplace(int index, MacAddress mac, InetAddress dst) {
    return fdb(RTM_NEWNEIGH, CREATE_REPLACE, index, mac, dst);
  }

  /** {@code bridge fdb append MAC dst DST dev IDX self permanent} (for the all-zero flood MAC). */
  static NlMsg fdbAppend(int index, MacAddress mac, InetAddress dst) {
    return fdb(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, index, mac, dst);
  }

  /** {@code bridge fdb del MAC [dst DST] dev IDX self}. */
  static NlMsg fdbDel(int index, MacAddress mac, InetAddress dst) {
    return fdb(RTM_DELNEIGH, 0, index, mac, dst);
  }

  private static NlMsg fdb(int type, int flags, int index, MacAddress mac, InetAddress dst) {
    NlMsg m = nd(type, flags, AF_BRIDGE, index, type == RTM_DELNEIGH ? 0 : NUD_NOARP | NUD_PERMANENT, NTF_SELF)
        .attr(NDA_LLADDR, mac.bytes());
    return dst == null ? m : m.attrAddr(NDA_DST, dst);
  }

  /** Dump request for {@code bridge fdb show}. */
  static NlMsg fdbDump() {
    return nd(RTM_GETNEIGH, 0, AF_BRIDGE, 0, 0, 0);
  }

  static Fdb fdb(NlMessage m) {
    Ndmsg h = Ndmsg.decode(m);
    NlAttrs a = m.attrs(Ndmsg.SIZE);
    return new Fdb(h.index(), mac(a.bytes(NDA_LLADDR)), a.addr(NDA_DST), h.state(), h.flags());
  }

  /** True for an RTM_*NEIGH message about an FDB entry (AF_BRIDGE) rather than a neighbour. */
  static boolean isFdb(NlMessage m) {
    return Ndmsg.decode(m).family() == AF_BRIDGE;
  }

  // ---- nexthop ----

  /** {@code ip nexthop replace id ID via GW dev IDX [onlink] proto PROTO}. */
  static NlMsg nexthopReplace(Nexthop n) {
    NlMsg m = new Nhmsg(n.gateway() == null ? AF_INET : family(n.gateway()), 0, n.protocol(), n.onlink() ? RTNH_F_ONLINK : 0)
        .request(RTM_NEWNEXTHOP, CREATE_REPLACE).attrU32(NHA_ID, n.id());
    if (n.index() > 0) {
      m.attrU32(NHA_OIF, n.index());
    }
    return n.gateway() == null ? m : m.attrAddr(NHA_GATEWAY, n.gateway());
  }

  /** {@code ip nexthop del id ID}. */
  static NlMsg nexthopDel(int id) {
    return new Nhmsg(AF_UNSPEC, 0, 0, 0).request(RTM_DELNEXTHOP, 0).attrU32(NHA_ID, id);
  }

  /** Dump request for {@code ip nexthop show}. */
  static NlMsg nexthopDump() {
    return new Nhmsg(AF_UNSPEC, 0, 0, 0).request(RTM_GETNEXTHOP, 0);
  }

  /** The nexthop of a message, or null for one without an id (e.g. a group's notification we do not model). */
  static Nexthop nexthop(NlMessage m) {
    Nhmsg h = Nhmsg.decode(m);
    NlAttrs a = m.attrs(Nhmsg.SIZE);
    int id = a.u32(NHA_ID, 0);
    return id == 0 ? null : new Nexthop(id, a.addr(NHA_GATEWAY), a.u32(NHA_OIF, 0), (h.flags() & RTNH_F_ONLINK) != 0, h.protocol());
  }

  // ---- route ----

  /** An IPv4 route request; a table of 256 or more does not fit rtm_table and goes in RTA_TABLE. */
  private static NlMsg rt(int type, int flags, int dstLen, int table, int protocol, int scope, int rtType, int rtFlags) {
    NlMsg m = new Rtmsg(AF_INET, dstLen, 0, 0, table < 256 ? table : 0, protocol, scope, rtType, rtFlags).request(type, flags);
    return table >= 256 ? m.attrU32(RTA_TABLE, table) : m;
  }

  /**
   * {@code ip route replace DST nhid ID proto PROTO}, or without a nexthop object
   * {@code ip route replace DST via GW dev IDX [onlink] proto PROTO}.
   */
  static NlMsg routeReplace(Route r) {
    NlMsg m = rt(RTM_NEWROUTE, CREATE_REPLACE, r.dst().prefixLength(), r.table(), r.protocol(), RT_SCOPE_UNIVERSE,
        RTN_UNICAST, r.onlink() && r.nhId() == 0 ? RTNH_F_ONLINK : 0);
    m.attrAddr(RTA_DST, r.dst().address());
    if (r.nhId() != 0) {
      return m.attrU32(RTA_NH_ID, r.nhId());
    }
    if (r.gateway() != null) {
      m.attrAddr(RTA_GATEWAY, r.gateway());
    }
    return r.index() > 0 ? m.attrU32(RTA_OIF, r.index()) : m;
  }

  /**
   * {@code ip route del DST proto PROTO table T}: with a protocol set the kernel deletes only a
   * route of that protocol, so a foreign route with the same prefix is never hit.
   */
  static NlMsg routeDel(IpPrefix dst, int protocol, int table) {
    return rt(RTM_DELROUTE, 0, dst.prefixLength(), table, protocol, RT_SCOPE_NOWHERE, 0, 0).attrAddr(RTA_DST, dst.address());
  }

  /**
   * Dump request for {@code ip route show [table T] [proto P]}. The table/protocol fields only
   * filter when the socket has NETLINK_GET_STRICT_CHK; callers filter again anyway.
   */
  static NlMsg routeDump(int table, int protocol) {
    return new Rtmsg(AF_INET, 0, 0, 0, table < 256 ? table : 0, protocol, 0, 0, 0).request(RTM_GETROUTE, 0);
  }

  static Route route(NlMessage m) {
    Rtmsg h = Rtmsg.decode(m);
    NlAttrs a = m.attrs(Rtmsg.SIZE);
    InetAddress dst = a.addr(RTA_DST);
    IpPrefix p = dst == null ? IpPrefix.of(new byte[4], 0) : new IpPrefix(dst, h.dstLen());
    return new Route(p, a.addr(RTA_GATEWAY), a.u32(RTA_OIF, 0), a.u32(RTA_NH_ID, 0), h.protocol(),
        a.u32(RTA_TABLE, h.table()), (h.flags() & RTNH_F_ONLINK) != 0);
  }

  /** Route type (RTN_*) of a route message, e.g. 1 for unicast, 2 for local. */
  static int routeType(NlMessage m) {
    return Rtmsg.decode(m).type();
  }

  private static MacAddress mac(byte[] raw) {
    return raw != null && raw.length == 6 ? new MacAddress(raw) : null;
  }

  private static int family(InetAddress a) {
    return a instanceof Inet4Address ? AF_INET : AF_INET6;
  }
}
