package io.vxmesh.datapath;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.Inet4Address;

/**
 * Everything that defines one VTEP device, fully resolved (no defaults left).
 * Equivalent to the seed's
 * {@code ip link add vxlan-test type vxlan id 10001 dstport 4899 local 10.211.55.5 dev enp0s5 nolearning}
 * plus {@code ip addr add 179.17.1.21/24}, {@code ip link set address ...}, {@code mtu}, {@code up}.
 *
 * @param device VTEP device name, e.g. vxlan-test
 * @param vni VXLAN network identifier
 * @param port VXLAN UDP destination port
 * @param local this host's underlay IP (gossip.advertise)
 * @param underlay underlay device name, e.g. enp0s5
 * @param mac the VTEP MAC
 * @param address the VTEP IP with the shared VTEP prefix, e.g. 179.17.1.21/24
 * @param mtu device MTU (already defaulted to underlay MTU - 50 by whoever built this)
 */
public record VtepSpec(
    String device, int vni, int port, Inet4Address local, String underlay, MacAddress mac, IpPrefix address, int mtu) {}
