package io.vxmesh.cni;

import io.vxmesh.config.CniConfig;
import io.vxmesh.config.NetworkConfig;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import java.net.InetAddress;

/**
 * The text of what a CNI plugin needs on this host, from the {@code [cni]} table and the first
 * {@code [[network]]}: pure functions, so the exact bytes are unit-tested.
 *
 * <ul>
 *   <li>{@link #subnetEnv}: flannel's {@code subnet.env} as flanneld writes it, so the
 *       {@code flannel} CNI plugin (or anything reading flannel's file) works unchanged:
 *       {@code FLANNEL_SUBNET} is the pod CIDR with the gateway address (the CIDR's first
 *       address, 10.234.111.1/24), {@code FLANNEL_MTU} the VTEP MTU.
 *   <li>{@link #conflist}: a conflist for the reference {@code bridge} + {@code host-local}
 *       plugins: the bridge holds the gateway address and is every pod's default gateway,
 *       host-local hands out addresses of the pod CIDR, the MTU is the VTEP's (a pod's
 *       packets cross the VXLAN tunnel, so they must fit inside it).
 * </ul>
 */
public final class CniFiles {
  /** The conflist's network name (the runtime's {@code CNI network}). */
  public static final String NETWORK_NAME = "vxmesh";
  /** The CNI spec version of the conflist; containernetworking-plugins ≥ 1.0 accept it. */
  public static final String CNI_VERSION = "1.0.0";

  private CniFiles() {}

  /** The gateway of a pod CIDR: its first address (10.234.111.0/24 → 10.234.111.1). */
  public static InetAddress gateway(IpPrefix podCidr) {
    byte[] a = podCidr.network().address().getAddress();
    a[a.length - 1] |= 1;
    return IpAddresses.v4(a);
  }

  /** flannel's {@code subnet.env} for this host. */
  public static String subnetEnv(CniConfig cni, NetworkConfig net) {
    return "FLANNEL_NETWORK=" + cni.network() + "\n"
        + "FLANNEL_SUBNET=" + gateway(net.podCidr()).getHostAddress() + "/" + net.podCidr().prefixLength() + "\n"
        + "FLANNEL_MTU=" + net.mtu() + "\n"
        + "FLANNEL_IPMASQ=" + cni.ipMasq() + "\n";
  }

  /**
   * The conflist for the {@code bridge} plugin with {@code host-local} IPAM. Every value is an
   * address, a number, a boolean or a validated device name, so nothing needs JSON escaping.
   */
  public static String conflist(CniConfig cni, NetworkConfig net) {
    String subnet = net.podCidr().network().toString();
    String gw = gateway(net.podCidr()).getHostAddress();
    return "{\n"
        + "  \"cniVersion\": \"" + CNI_VERSION + "\",\n"
        + "  \"name\": \"" + NETWORK_NAME + "\",\n"
        + "  \"plugins\": [\n"
        + "    {\n"
        + "      \"type\": \"bridge\",\n"
        + "      \"bridge\": \"" + cni.bridge() + "\",\n"
        + "      \"isGateway\": true,\n"
        + "      \"ipMasq\": " + cni.ipMasq() + ",\n"
        + "      \"mtu\": " + net.mtu() + ",\n"
        + "      \"ipam\": {\n"
        + "        \"type\": \"host-local\",\n"
        + "        \"ranges\": [[{\"subnet\": \"" + subnet + "\", \"gateway\": \"" + gw + "\"}]],\n"
        + "        \"routes\": [{\"dst\": \"0.0.0.0/0\"}]\n"
        + "      }\n"
        + "    }\n"
        + "  ]\n"
        + "}\n";
  }
}
