package io.vxmesh.netlink;

import java.net.Inet4Address;

/**
 * The vxlan part of a link: {@code type vxlan id VNI dstport PORT local LOCAL dev UNDERLAY [no]learning}.
 *
 * @param underlayIndex ifindex of the underlay device (IFLA_VXLAN_LINK), 0 for none
 * @param local local underlay address, or null
 */
public record VxlanInfo(int vni, int port, Inet4Address local, int underlayIndex, boolean learning) {
  public VxlanInfo {
    if (vni < 0 || vni >= 1 << 24) {
      throw new IllegalArgumentException("VNI " + vni + " is outside 0..16777215");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0..65535");
    }
  }
}
