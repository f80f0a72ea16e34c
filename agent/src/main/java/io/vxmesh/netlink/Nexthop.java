package io.vxmesh.netlink;

import java.net.InetAddress;

/**
 * A nexthop object: {@code ip nexthop} → {@code id 7 via 179.17.1.31 dev vxlan-test scope link proto 118 onlink}.
 *
 * @param id nexthop id (unsigned 32-bit, never 0)
 * @param gateway NHA_GATEWAY, or null
 * @param index NHA_OIF device
 * @param protocol nhm_protocol, e.g. 118 for vxmesh
 */
public record Nexthop(int id, InetAddress gateway, int index, boolean onlink, int protocol) {
  public Nexthop {
    if (id == 0) {
      throw new IllegalArgumentException("nexthop id 0 is reserved");
    }
  }
}
