package io.vxmesh.netlink;

import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.nl.Rtnl;
import java.net.InetAddress;

/**
 * A neighbour (ARP) entry: {@code ip neigh} → {@code 179.17.1.31 dev vxlan-test lladdr 7a:.. PERMANENT}.
 *
 * @param mac link-layer address, null for entries without one (INCOMPLETE/FAILED)
 * @param state NUD_* bits
 */
public record Neigh(int index, InetAddress ip, MacAddress mac, int state) {
  public boolean permanent() {
    return (state & Rtnl.NUD_PERMANENT) != 0;
  }
}
