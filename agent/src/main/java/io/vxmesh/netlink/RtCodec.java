package io.vxmesh.netlink;

import static io.vxmesh.netlink.nl.Rtnl.*;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.nl.NlAttrs;
import io.vxmesh.netlink.nl.NlMessage;
import io.vxmesh.netlink.nl.NlMsg;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Encoding of rtnetlink requests and decoding of their replies/notifications, with no I/O
 * (tested without root). Each builder names the iproute2 command it is equivalent to. Struct
 * sizes: ifinfomsg 16, ifaddrmsg 8, ndmsg 12, rtmsg 12, nhmsg 8.
 */
public final class RtCodec {
  public static final int IFINFOMSG = 16;
  public static final int IFADDRMSG = 8;
  public static final int NDMSG = 12;
  public static final int RTMSG = 12;
  public static final int NHMSG = 8;
  private static final int CREATE_REPLACE = NLM_F_CREATE | NLM_F_REPLACE;

  private RtCodec() {}

  // ---- link ----

  static NlMsg ifinfo(int type, int flags, int index, int ifFlags, int change) {
    return new NlMsg(type, flags).u8(AF_UNSPEC).u8(0).u16(0).u32(index).u32(ifFlags).u32(change);
  }

  /** {@code ip link show NAME}. */
  public static NlMsg linkGet(String name) {
    return ifinfo(RTM_GETLINK, 0, 0, 0, 0).attrString(IFLA_IFNAME, name);
  }

  /** {@code ip link show} of one ifindex. */
  public static NlMsg linkGet(int index) {
    return ifinfo(RTM_GETLINK, 0, index, 0, 0);
  }

  /** Dump request for {@code ip link show}. */
  public static NlMsg linkDump() {
    return ifinfo(RTM_GETLINK, 0, 0, 0, 0);
  }

  /**
   * {@code ip link add NAME [address MAC] [mtu MTU] type vxlan id VNI dstport PORT local LOCAL
   * dev UNDERLAY nolearning}.
   */
  public static NlMsg linkAddVxlan(String name, VxlanInfo vx, MacAddress mac, int mtu) {
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
  public static NlMsg linkSetMac(int index, MacAddress mac) {
    return ifinfo(RTM_NEWLINK, 0, index, 0, 0).attr(IFLA_ADDRESS, mac.bytes());
  }

  /** {@code ip link set dev IDX mtu MTU}. */
  public static NlMsg linkSetMtu(int index, int mtu) {
    return ifinfo(RTM_NEWLINK, 0, index, 0, 0).attrU32(IFLA_MTU, mtu);
  }

  /** {@code ip link set dev IDX up} / {@code down}. */
  public static NlMsg linkSetUp(int index, boolean up) {
    return ifinfo(RTM_NEWLINK, 0, index, up ? IFF_UP : 0, IFF_UP);
  }

  /** {@code ip link del dev IDX}. */
  public static NlMsg linkDel(int index) {
    return ifinfo(RTM_DELLINK, 0, index, 0, 0);
  }

  public static Link link(NlMessage m) {
    NlAttrs a = m.attrs(IFINFOMSG);
    NlAttrs info = a.nested(IFLA_LINKINFO);
    String kind = info.string(IFLA_INFO_KIND);
    VxlanInfo vx = null;
    if ("vxlan".equals(kind)) {
      NlAttrs d = info.nested(IFLA_INFO_DATA);
      InetAddress local = d.addr(IFLA_VXLAN_LOCAL);
      vx = new VxlanInfo(d.u32(IFLA_VXLAN_ID, 0), d.be16(IFLA_VXLAN_PORT, 0),
          local instanceof Inet4Address l ? l : null, d.u32(IFLA_VXLAN_LINK, 0), d.u8(IFLA_VXLAN_LEARNING, 1) != 0);
    }
    byte[] mac = a.bytes(IFLA_ADDRESS);
    return new Link(m.u32(4), a.string(IFLA_IFNAME), kind, mac != null && mac.length == 6 ? new MacAddress(mac) : null,
        a.u32(IFLA_MTU, 0), m.u32(8), vx);
  }

  // ---- address ----

  static NlMsg ifaddr(int type, int flags, int family, int prefixLen, int index) {
    return new NlMsg(type, flags).u8(family).u8(prefixLen).u8(0).u8(0).u32(index);
  }

  /** {@code ip addr replace PREFIX dev IDX}. */
  public static NlMsg addrAdd(int index, IpPrefix p) {
    return ifaddr(RTM_NEWADDR, CREATE_REPLACE, family(p.address()), p.prefixLength(), index)
        .attrAddr(IFA_LOCAL, p.address()).attrAddr(IFA_ADDRESS, p.address());
  }

  /** {@code ip addr del PREFIX dev IDX}. */
  public static NlMsg addrDel(int index, IpPrefix p) {
    return ifaddr(RTM_DELADDR, 0, family(p.address()), p.prefixLength(), index)
        .attrAddr(IFA_LOCAL, p.address()).attrAddr(IFA_ADDRESS, p.address());
  }

  /** Dump request for {@code ip -4 addr show}. */
  public static NlMsg addrDump() {
    return ifaddr(RTM_GETADDR, 0, AF_INET, 0, 0);
  }

  public static Address address(NlMessage m) {
    NlAttrs a = m.attrs(IFADDRMSG);
    InetAddress ip = a.has(IFA_LOCAL) ? a.addr(IFA_LOCAL) : a.addr(IFA_ADDRESS);
    return new Address(m.u32(4), ip == null ? null : new IpPrefix(ip, m.u8(1)));
  }

  // ---- neighbour and FDB ----

  static NlMsg nd(int type, int flags, int family, int index, int state, int ntf) {
    return new NlMsg(type, flags).u8(family).u8(0).u16(0).u32(index).u16(state).u8(ntf).u8(0);
  }

  /** {@code ip neigh replace IP lladdr MAC dev IDX nud permanent}. */
  public static NlMsg neighReplace(int index, InetAddress ip, MacAddress mac) {
    return nd(RTM_NEWNEIGH, CREATE_REPLACE, family(ip), index, NUD_PERMANENT, 0)
        .attrAddr(NDA_DST, ip).attr(NDA_LLADDR, mac.bytes());
  }

  /** {@code ip neigh del IP dev IDX}. */
  public static NlMsg neighDel(int index, InetAddress ip) {
    return nd(RTM_DELNEIGH, 0, family(ip), index, 0, 0).attrAddr(NDA_DST, ip);
  }

  /** Dump request for {@code ip -4 neigh show}. */
  public static NlMsg neighDump() {
    return nd(RTM_GETNEIGH, 0, AF_INET, 0, 0, 0);
  }

  public static Neigh neigh(NlMessage m) {
    NlAttrs a = m.attrs(NDMSG);
    byte[] mac = a.bytes(NDA_LLADDR);
    return new Neigh(m.u32(4), a.addr(NDA_DST), mac != null && mac.length == 6 ? new MacAddress(mac) : null, m.u16(8));
  }

  /**
   * {@code bridge fdb replace MAC dst DST dev IDX self permanent} (NLM_F_REPLACE: a unicast
   * entry's dst is only changed by replace, never by append).
   */
  public static NlMsg fdbReplace(int index, MacAddress mac, InetAddress dst) {
    return fdb(RTM_NEWNEIGH, CREATE_REPLACE, index, mac, dst);
  }

  /** {@code bridge fdb append MAC dst DST dev IDX self permanent} (for the all-zero flood MAC). */
  public static NlMsg fdbAppend(int index, MacAddress mac, InetAddress dst) {
    return fdb(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, index, mac, dst);
  }

  /** {@code bridge fdb del MAC [dst DST] dev IDX self}. */
  public static NlMsg fdbDel(int index, MacAddress mac, InetAddress dst) {
    return fdb(RTM_DELNEIGH, 0, index, mac, dst);
  }

  private static NlMsg fdb(int type, int flags, int index, MacAddress mac, InetAddress dst) {
    NlMsg m = nd(type, flags, AF_BRIDGE, index, type == RTM_DELNEIGH ? 0 : NUD_NOARP | NUD_PERMANENT, NTF_SELF)
        .attr(NDA_LLADDR, mac.bytes());
    return dst == null ? m : m.attrAddr(NDA_DST, dst);
  }

  /** Dump request for {@code bridge fdb show}. */
  public static NlMsg fdbDump() {
    return nd(RTM_GETNEIGH, 0, AF_BRIDGE, 0, 0, 0);
  }

  public static Fdb fdb(NlMessage m) {
    NlAttrs a = m.attrs(NDMSG);
    byte[] mac = a.bytes(NDA_LLADDR);
    return new Fdb(m.u32(4), mac != null && mac.length == 6 ? new MacAddress(mac) : null, a.addr(NDA_DST), m.u16(8), m.u8(10));
  }

  // ---- nexthop ----

  static NlMsg nh(int type, int flags, int family, int protocol, int nhFlags) {
    return new NlMsg(type, flags).u8(family).u8(0).u8(protocol).u8(0).u32(nhFlags);
  }

  /** {@code ip nexthop replace id ID via GW dev IDX [onlink] proto PROTO}. */
  public static NlMsg nexthopReplace(Nexthop n) {
    NlMsg m = nh(RTM_NEWNEXTHOP, CREATE_REPLACE, n.gateway() == null ? AF_INET : family(n.gateway()), n.protocol(),
        n.onlink() ? RTNH_F_ONLINK : 0).attrU32(NHA_ID, n.id());
    if (n.index() > 0) {
      m.attrU32(NHA_OIF, n.index());
    }
    return n.gateway() == null ? m : m.attrAddr(NHA_GATEWAY, n.gateway());
  }

  /** {@code ip nexthop del id ID}. */
  public static NlMsg nexthopDel(int id) {
    return nh(RTM_DELNEXTHOP, 0, AF_UNSPEC, 0, 0).attrU32(NHA_ID, id);
  }

  /** Dump request for {@code ip nexthop show}. */
  public static NlMsg nexthopDump() {
    return nh(RTM_GETNEXTHOP, 0, AF_UNSPEC, 0, 0);
  }

  public static Nexthop nexthop(NlMessage m) {
    NlAttrs a = m.attrs(NHMSG);
    return new Nexthop(a.u32(NHA_ID, 0), a.addr(NHA_GATEWAY), a.u32(NHA_OIF, 0), (m.u32(4) & RTNH_F_ONLINK) != 0, m.u8(2));
  }

  // ---- route ----

  static NlMsg rt(int type, int flags, int dstLen, int table, int protocol, int scope, int rtType, int rtFlags) {
    return new NlMsg(type, flags).u8(AF_INET).u8(dstLen).u8(0).u8(0).u8(table < 256 ? table : 0)
        .u8(protocol).u8(scope).u8(rtType).u32(rtFlags);
  }

  /**
   * {@code ip route replace DST nhid ID proto PROTO}, or without a nexthop object
   * {@code ip route replace DST via GW dev IDX [onlink] proto PROTO}.
   */
  public static NlMsg routeReplace(Route r) {
    NlMsg m = rt(RTM_NEWROUTE, CREATE_REPLACE, r.dst().prefixLength(), r.table(), r.protocol(), RT_SCOPE_UNIVERSE,
        RTN_UNICAST, r.onlink() && r.nhId() == 0 ? RTNH_F_ONLINK : 0);
    if (r.table() >= 256) {
      m.attrU32(RTA_TABLE, r.table());
    }
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
  public static NlMsg routeDel(IpPrefix dst, int protocol, int table) {
    NlMsg m = rt(RTM_DELROUTE, 0, dst.prefixLength(), table, protocol, RT_SCOPE_NOWHERE, 0, 0);
    if (table >= 256) {
      m.attrU32(RTA_TABLE, table);
    }
    return m.attrAddr(RTA_DST, dst.address());
  }

  /**
   * Dump request for {@code ip route show [table T] [proto P]}. The table/protocol fields only
   * filter when the socket has NETLINK_GET_STRICT_CHK; callers filter again anyway.
   */
  public static NlMsg routeDump(int table, int protocol) {
    return rt(RTM_GETROUTE, 0, 0, table, protocol, 0, 0, 0);
  }

  public static Route route(NlMessage m) {
    NlAttrs a = m.attrs(RTMSG);
    int dstLen = m.u8(1);
    InetAddress dst = a.addr(RTA_DST);
    IpPrefix p = dst == null ? IpPrefix.of(new byte[4], 0) : new IpPrefix(dst, dstLen);
    int table = a.u32(RTA_TABLE, m.u8(4));
    return new Route(p, a.addr(RTA_GATEWAY), a.u32(RTA_OIF, 0), a.u32(RTA_NH_ID, 0), m.u8(5), table,
        (m.u32(8) & RTNH_F_ONLINK) != 0);
  }

  /** Route type (RTN_*) of a route message, e.g. 1 for unicast, 2 for local. */
  public static int routeType(NlMessage m) {
    return m.u8(7);
  }

  static int family(InetAddress a) {
    return a instanceof Inet4Address ? AF_INET : 10;
  }
}
