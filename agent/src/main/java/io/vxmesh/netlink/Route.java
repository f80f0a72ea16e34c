package io.vxmesh.netlink;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.netlink.nl.Rtnl;
import java.net.InetAddress;

/**
 * An IPv4 unicast route: {@code ip route} →
 * {@code 10.234.118.0/24 nhid 7 via 179.17.1.31 dev vxlan-test proto 118 onlink}.
 *
 * @param dst destination network
 * @param gateway RTA_GATEWAY (null when none; for routes via a nexthop object the kernel
 *     reports the nexthop's gateway)
 * @param index output device (RTA_OIF), 0 when none
 * @param nhId nexthop object id (RTA_NH_ID), 0 when none
 * @param protocol rtm_protocol, e.g. 118 for vxmesh
 * @param table routing table, 254 = main
 * @param onlink RTNH_F_ONLINK
 */
public record Route(IpPrefix dst, InetAddress gateway, int index, int nhId, int protocol, int table, boolean onlink) {
  /** The main routing table ({@code table main}), where {@link #viaNexthop} and {@link #via} put routes. */
  public static final int TABLE_MAIN = Rtnl.RT_TABLE_MAIN;

  public Route {
    if (dst == null) {
      throw new IllegalArgumentException("route destination is missing");
    }
  }

  /** {@code ip route replace DST nhid ID proto PROTO} (main table). */
  public static Route viaNexthop(IpPrefix dst, int nhId, int protocol) {
    return new Route(dst, null, 0, nhId, protocol, TABLE_MAIN, false);
  }

  /** {@code ip route replace DST via GW dev IDX [onlink] proto PROTO} (main table). */
  public static Route via(IpPrefix dst, InetAddress gateway, int index, boolean onlink, int protocol) {
    return new Route(dst, gateway, index, 0, protocol, TABLE_MAIN, onlink);
  }
}
