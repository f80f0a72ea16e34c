package io.vxmesh.netlink;

import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.nl.Rtnl;

/**
 * A network device as {@code ip -d link show} prints it.
 *
 * @param kind IFLA_INFO_KIND, e.g. "vxlan", or null for a device without one
 * @param vxlan the vxlan settings when {@code kind} is vxlan, else null
 */
public record Link(int index, String name, String kind, MacAddress mac, int mtu, int flags, VxlanInfo vxlan) {
  public boolean up() {
    return (flags & Rtnl.IFF_UP) != 0;
  }
}
