package io.vxmesh.lab.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostSpecTest {
  @Test
  void hostsZeroAndOneAreTheSeedsMaster1AndNode1() {
    HostSpec m = HostSpec.of(0);
    assertEquals("master1", m.name());
    assertEquals("10.211.55.5", m.underlayIp().getHostAddress());
    assertEquals("179.17.1.21/24", m.vtepAddress().toString());
    assertEquals("c2:6a:9b:e5:39:8d", m.vtepMac().toString());
    assertEquals("10.234.111.0/24", m.podCidr().toString());
    assertEquals("10.234.111.10", m.podIp().getHostAddress());
    assertEquals("10.234.111.1", m.gatewayIp().getHostAddress());
    HostSpec n = HostSpec.of(1);
    assertEquals("node1", n.name());
    assertEquals("10.211.55.6", n.underlayIp().getHostAddress());
    assertEquals("179.17.1.31/24", n.vtepAddress().toString());
    assertEquals("7a:3a:fe:45:a3:76", n.vtepMac().toString());
    assertEquals("10.234.118.10", n.podIp().getHostAddress());
  }

  @Test
  void thePatternGivesEveryHostDistinctAddressesInTheSharedSubnets() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < HostSpec.MAX_HOSTS; i++) {
      HostSpec h = HostSpec.of(i);
      assertTrue(seen.add(h.name()), h.name());
      assertTrue(seen.add(h.underlayIp().getHostAddress()), h.toString());
      assertTrue(seen.add(h.vtepAddress().address().getHostAddress()), h.toString());
      assertTrue(seen.add(h.vtepMac().toString()), h.toString());
      assertTrue(seen.add(h.podCidr().toString()), h.toString());
      assertEquals("179.17.1.0/24", h.vtepAddress().network().toString());
      assertTrue(h.underlayIp().getHostAddress().startsWith("10.211.55."), h.toString());
      assertTrue(!h.vtepMac().isMulticast() && (h.vtepMac().bytes()[0] & 2) != 0 || i < 2, "locally administered unicast: " + h);
    }
    assertEquals("179.17.1.41/24", HostSpec.of(2).vtepAddress().toString());
    assertEquals("10.234.120.0/24", HostSpec.of(2).podCidr().toString());
    assertEquals("179.17.1.251/24", HostSpec.of(23).vtepAddress().toString());
    assertEquals("179.17.1.2/24", HostSpec.of(24).vtepAddress().toString());
    assertEquals("10.235.0.0/24", HostSpec.of(138).podCidr().toString());
    assertThrows(IllegalArgumentException.class, () -> HostSpec.of(HostSpec.MAX_HOSTS));
  }

  @Test
  void deviceNamesFitIfnamsizForTheLargestHostIndex() {
    String prefix = "vbedffff";
    int i = HostSpec.MAX_HOSTS - 1;
    for (String dev : new String[] {prefix + "-s" + i, prefix + "-u" + i, prefix + "-g" + i, prefix + "-p" + i, prefix + "-br", prefix + "-b2"}) {
      assertTrue(dev.length() <= 15, dev);
    }
    assertTrue(Testbed.newPrefix().matches("vbed[0-9a-f]{4}"));
  }
}
