package io.vxmesh.config;

import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.Inet4Address;

/**
 * One {@code [[network]]} table, resolved.
 *
 * @param device VTEP device name (default {@code vxmesh<vni>})
 * @param vni VXLAN network identifier, 1..16777215 (required)
 * @param port VXLAN UDP port (default 4789)
 * @param underlay underlay device (default: the device holding gossip.advertise)
 * @param vtepAddress this host's VTEP IP with the shared VTEP prefix (required)
 * @param vtepMac VTEP MAC (default: derived from node name and VNI)
 * @param podCidr this host's pod network (required)
 * @param mtu VTEP MTU (default: underlay MTU - 50)
 */
public record NetworkConfig(
    String device,
    int vni,
    int port,
    String underlay,
    IpPrefix vtepAddress,
    MacAddress vtepMac,
    IpPrefix podCidr,
    int mtu) {
  public static final int DEFAULT_PORT = 4789;
  /** VXLAN over IPv4: outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
  public static final int VXLAN_OVERHEAD = 50;

  /** The VTEP device this network needs, with {@code local} as the VXLAN source address. */
  public VtepSpec toVtepSpec(Inet4Address local) {
    return new VtepSpec(device, vni, port, local, underlay, vtepMac, vtepAddress, mtu);
  }
}
