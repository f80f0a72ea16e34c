package io.vxmesh.config;

import io.vxmesh.net.IpPrefix;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [cni]} table: what the agent hands to a CNI plugin on this host, for the first
 * {@code [[network]]} (the pod network a container runtime attaches pods to).
 *
 * @param subnetEnv where the flannel-compatible {@code subnet.env} goes (default
 *     /run/vxmesh/subnet.env; {@code subnet_env = ""} writes none)
 * @param network the overlay's pod supernet, {@code FLANNEL_NETWORK} (default: the first
 *     network's pod CIDR widened to /16, e.g. 10.234.0.0/16 for 10.234.111.0/24); must contain
 *     the pod CIDR
 * @param ipMasq {@code FLANNEL_IPMASQ} and the bridge plugin's {@code ipMasq} (default false)
 * @param conflist where the conflist for the reference bridge + host-local plugins goes (off
 *     by default; e.g. /etc/cni/net.d/10-vxmesh.conflist)
 * @param bridge the bridge the {@code bridge} plugin creates on this host (default cni0)
 */
public record CniConfig(Optional<Path> subnetEnv, IpPrefix network, boolean ipMasq, Optional<Path> conflist,
    String bridge) {
  public static final Path DEFAULT_SUBNET_ENV = Path.of("/run/vxmesh/subnet.env");
  public static final String DEFAULT_BRIDGE = "cni0";
  /** Default {@code network} is the pod CIDR widened to this length (flannel's 10.244.0.0/16 + /24s). */
  public static final int DEFAULT_NETWORK_PREFIX = 16;

  public CniConfig {
    Objects.requireNonNull(subnetEnv, "subnetEnv");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(conflist, "conflist");
    Objects.requireNonNull(bridge, "bridge");
  }

  /** The default network for {@code podCidr}: widened to /16, or itself when already wider. */
  public static IpPrefix defaultNetwork(IpPrefix podCidr) {
    if (podCidr.prefixLength() <= DEFAULT_NETWORK_PREFIX) {
      return podCidr.network();
    }
    return new IpPrefix(podCidr.address(), DEFAULT_NETWORK_PREFIX).network();
  }
}
