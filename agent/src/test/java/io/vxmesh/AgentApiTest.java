package io.vxmesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vxmesh.datapath.Peer;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import org.junit.jupiter.api.Test;

class AgentApiTest {
  @Test
  void theRouteIsPrintedAsIpRouteShowsItThroughThePeersNexthop() {
    Peer p = new Peer("node1", IpAddresses.parseV4("10.211.55.6"), MacAddress.parse("7a:3a:fe:45:a3:76"),
        IpAddresses.parseV4("179.17.1.31"), IpPrefix.parse("10.234.118.0/24"));
    // the line DatapathKernelTest finds in `ip route` after converging this peer
    assertEquals("10.234.118.0/24 nhid 3004236063 via 179.17.1.31 dev vxlan-test proto 118 onlink",
        AgentApi.route(p, "vxlan-test"));
  }
}
