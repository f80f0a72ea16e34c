package io.vxmesh.lab.testbed;

/**
 * One emulated host of a {@link Testbed}: its namespace and the devices the testbed made in it.
 *
 * @param ns the host's network namespace ({@code ip netns exec <ns> ...})
 * @param underlayDevice the host's underlay NIC (the seed's enp0s5), holding {@code spec.underlayIp()}
 * @param switchPort the peer of {@code underlayDevice}, in the switch namespace, enslaved to the bridge
 * @param pod the pod behind this host, or null when the testbed was built without pods
 */
public record Host(HostSpec spec, String ns, String underlayDevice, String switchPort, Pod pod) {
  public String name() {
    return spec.name();
  }

  public int index() {
    return spec.index();
  }

  public boolean hasPod() {
    return pod != null;
  }

  /** The pod, or an exception saying this testbed has none. */
  public Pod requirePod() {
    if (pod == null) {
      throw new IllegalStateException("host " + name() + " has no pod (testbed built without pods)");
    }
    return pod;
  }

  /**
   * A pod namespace wired as in the seed: a veth pair, {@code gatewayDevice} in the host with
   * the pod CIDR's .1, {@code device} in the pod with .10 and a default route via .1.
   */
  public record Pod(String ns, String device, String gatewayDevice) {}
}
