package io.vxmesh.datapath;

import static io.vxmesh.net.IpAddresses.parseV4;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.KernelTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The seed walkthrough's two hosts and two pods, in namespaces: iproute2 builds only the test
 * topology (switch bridge, underlay veths, pod veths); every VTEP and peer object is written by
 * {@link Datapath}. Pod 10.234.111.10 must reach pod 10.234.118.10 and back over VXLAN.
 */
@KernelTest
class SeedPodPingTest {
  final List<TestNetns> namespaces = new ArrayList<>();

  @AfterEach
  void tearDown() {
    namespaces.forEach(TestNetns::close);
  }

  private TestNetns ns(String prefix) {
    TestNetns n = TestNetns.create(prefix);
    namespaces.add(n);
    return n;
  }

  /** A host on the switch: underlay eth0 with {@code hostIp}, a pod behind gateway {@code podNet}.1. */
  private TestNetns host(TestNetns sw, String prefix, String port, String hostIp, String podNet) {
    TestNetns host = ns(prefix);
    TestNetns pod = ns(prefix + "p");
    sw.ip("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host.name());
    sw.ip("link", "set", port, "master", "br0", "up");
    host.ip("addr", "add", hostIp + "/24", "dev", "eth0");
    host.ip("link", "set", "eth0", "up");
    host.ip("link", "add", "vpod", "type", "veth", "peer", "name", "eth0", "netns", pod.name());
    host.ip("addr", "add", podNet + ".1/24", "dev", "vpod");
    host.ip("link", "set", "vpod", "up");
    pod.ip("addr", "add", podNet + ".10/24", "dev", "eth0");
    pod.ip("link", "set", "eth0", "up");
    pod.ip("route", "add", "default", "via", podNet + ".1");
    assertTrue(host.exec("sysctl", "-qw", "net.ipv4.ip_forward=1") == 0);
    return host;
  }

  private static boolean pings(TestNetns from, String to) {
    long end = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < end) {
      if (from.exec("ping", "-c1", "-W1", to) == 0) {
        return true;
      }
    }
    return false;
  }

  @Test
  void podsOnTwoHostsPingEachOtherOverVxmeshDatapath() {
    TestNetns.assumeRoot();
    TestNetns sw = ns("vxsw");
    sw.ip("link", "add", "br0", "type", "bridge");
    sw.ip("link", "set", "br0", "up");
    TestNetns master1 = host(sw, "vxm", "pm", "10.211.55.5", "10.234.111");
    TestNetns node1 = host(sw, "vxn", "pn", "10.211.55.6", "10.234.118");
    MacAddress mac1 = MacAddress.parse("c2:6a:9b:e5:39:8d");
    MacAddress mac2 = MacAddress.parse("7a:3a:fe:45:a3:76");
    Peer pMaster = new Peer("master1", parseV4("10.211.55.5"), mac1, parseV4("179.17.1.21"), IpPrefix.parse("10.234.111.0/24"));
    Peer pNode = new Peer("node1", parseV4("10.211.55.6"), mac2, parseV4("179.17.1.31"), IpPrefix.parse("10.234.118.0/24"));
    try (Datapath a = Datapath.openIn(master1.name()); Datapath b = Datapath.openIn(node1.name())) {
      VtepSpec specA = new VtepSpec("vxlan-test", 10001, 4899, parseV4("10.211.55.5"), "eth0", mac1,
          IpPrefix.parse("179.17.1.21/24"), a.defaultMtu("eth0"));
      VtepSpec specB = new VtepSpec("vxlan-test", 10001, 4899, parseV4("10.211.55.6"), "eth0", mac2,
          IpPrefix.parse("179.17.1.31/24"), b.defaultMtu("eth0"));
      assertTrue(a.converge(specA, List.of(pNode), true).ok());
      assertTrue(b.converge(specB, List.of(pMaster), true).ok());
    }
    TestNetns podA = namespaces.get(2);
    TestNetns podB = namespaces.get(4);
    assertTrue(pings(podA, "10.234.118.10"), "pod 10.234.111.10 → 10.234.118.10");
    assertTrue(pings(podB, "10.234.111.10"), "pod 10.234.118.10 → 10.234.111.10");
    String link = master1.ip("-d", "link", "show", "vxlan-test");
    assertTrue(link.contains("vxlan id 10001") && link.contains("dstport 4899") && link.contains("nolearning"), link);
  }
}
