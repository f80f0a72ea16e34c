package io.vxmesh.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared pod CIDR predicate: lengths, never-pod ranges, and what it names when it overlaps. */
class PodCidrRulesTest {
  static final List<PodCidrRules.Reserved> RESERVED = List.of(
      PodCidrRules.Reserved.address("the host IP of node1", IpAddresses.parse("10.211.55.6")),
      new PodCidrRules.Reserved("the VTEP prefix of VNI 10001", IpPrefix.parse("179.17.1.0/24")),
      PodCidrRules.Reserved.address("the default gateway", IpAddresses.parse("192.0.2.1")));

  String problem(String cidr) {
    return PodCidrRules.problem(IpPrefix.parse(cidr), RESERVED);
  }

  @Test
  void boundsAreSlash8ToSlash30ForIpv4() {
    assertEquals("/0 is wider than /8, the widest pod CIDR allowed (it would take every route)", problem("0.0.0.0/0"));
    assertEquals("/7 is wider than /8, the widest pod CIDR allowed (it would take a large part of the address space)",
        problem("10.0.0.0/7"));
    assertEquals("/32 is narrower than /30, the narrowest pod CIDR allowed (no room for a gateway and a pod)",
        problem("10.211.55.6/32"));
    assertNull(problem("11.0.0.0/8"));
    assertNull(problem("10.234.111.0/30"));
    assertEquals("/8 is wider than /16, the widest pod CIDR allowed (it would take a large part of the address space)",
        problem("fd00::/8"));
    assertNull(problem("fd00:1::/64"));
  }

  @Test
  void namesWhatItCoversAddressesAndPrefixesAlike() {
    assertEquals("10.211.55.0/25 contains the host IP of node1 10.211.55.6", problem("10.211.55.0/25"));
    assertEquals("179.17.0.0/16 overlaps the VTEP prefix of VNI 10001 179.17.1.0/24", problem("179.17.0.0/16"));
    assertEquals("179.17.1.128/25 overlaps the VTEP prefix of VNI 10001 179.17.1.0/24", problem("179.17.1.128/25"));
    assertEquals("192.0.2.0/30 contains the default gateway 192.0.2.1", problem("192.0.2.0/30"));
    assertEquals("169.254.0.0/24 overlaps link-local 169.254.0.0/16", problem("169.254.0.0/24"));
    assertEquals("240.0.0.0/8 overlaps multicast/reserved 224.0.0.0/3", problem("240.0.0.0/8"));
    assertEquals("0.1.0.0/16 overlaps 'this network' 0.0.0.0/8", problem("0.1.0.0/16"));
    assertNull(problem("10.234.111.0/24"));
    assertNull(problem("10.211.56.0/24"), "next to the underlay is fine");
  }

  @Test
  void hostBitsAreIgnoredTheNetworkIsJudged() {
    assertEquals("10.211.55.0/25 contains the host IP of node1 10.211.55.6", problem("10.211.55.9/25"));
  }

  @Test
  void theGossipFormNamesWhatAnAnnouncedPodCidrCovers() {
    java.util.List<java.net.InetAddress> hosts = java.util.List.of(IpAddresses.parse("10.211.55.5"), IpAddresses.parse("10.211.55.6"));
    java.util.List<IpPrefix> vtep = java.util.List.of(IpPrefix.parse("179.17.1.0/24"));
    java.util.List<IpPrefix> underlay = java.util.List.of(IpPrefix.parse("10.211.55.0/24"));
    org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.empty(),
        PodCidrRules.problem(IpPrefix.parse("10.234.111.0/24"), hosts, vtep, underlay));
    org.junit.jupiter.api.Assertions.assertEquals("pod CIDR 10.211.55.0/25 contains the host IP 10.211.55.5",
        PodCidrRules.problem(IpPrefix.parse("10.211.55.0/25"), hosts, vtep, underlay).orElseThrow());
    org.junit.jupiter.api.Assertions.assertEquals("pod CIDR 10.211.55.128/25 overlaps the underlay subnet 10.211.55.0/24",
        PodCidrRules.problem(IpPrefix.parse("10.211.55.128/25"), hosts, vtep, underlay).orElseThrow());
    org.junit.jupiter.api.Assertions.assertEquals("pod CIDR 179.17.1.128/25 overlaps the VTEP subnet 179.17.1.0/24",
        PodCidrRules.problem(IpPrefix.parse("179.17.1.128/25"), hosts, vtep, underlay).orElseThrow());
    org.junit.jupiter.api.Assertions.assertTrue(
        PodCidrRules.problem(IpPrefix.parse("0.0.0.0/0"), hosts, vtep, underlay).orElseThrow().startsWith("pod CIDR /0 is wider than /8"));
  }
}
