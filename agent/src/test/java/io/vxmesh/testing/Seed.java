package io.vxmesh.testing;

import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;

/** The seed walkthrough's first host (master1), as the kernel tests build it on an underlay named {@code ul0}. */
public final class Seed {
  private Seed() {}

  /** master1's VTEP: vxlan-test, VNI 10001, port 4899, local 10.211.55.5, c2:6a:9b:e5:39:8d, 179.17.1.21/24. */
  public static VtepSpec master1Vtep(int mtu) {
    return new VtepSpec("vxlan-test", 10001, 4899, IpAddresses.parseV4("10.211.55.5"), "ul0",
        MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("179.17.1.21/24"), mtu);
  }
}
