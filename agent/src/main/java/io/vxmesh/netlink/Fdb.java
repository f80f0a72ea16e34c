package io.vxmesh.netlink;

import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.nl.Rtnl;
import java.net.InetAddress;

/**
 * A bridge forwarding entry on a device: {@code bridge fdb show dev X} →
 * {@code 7a:3a:fe:45:a3:76 dst 10.211.55.6 self permanent}.
 *
 * @param dst remote VTEP (NDA_DST), null when absent
 * @param state NUD_* bits
 * @param flags NTF_* bits
 */
public record Fdb(int index, MacAddress mac, InetAddress dst, int state, int flags) {
  public boolean self() {
    return (flags & Rtnl.NTF_SELF) != 0;
  }

  public boolean permanent() {
    return (state & Rtnl.NUD_PERMANENT) != 0;
  }
}
