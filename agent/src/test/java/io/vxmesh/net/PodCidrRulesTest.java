package io.vxmesh.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodCidrRulesTest {
  private static final List<java.net.InetAddress> HOSTS = List.of(IpAddresses.parse("10.211.55.5"), IpAddresses.parse("10.211.55.6"));
  private static final List<IpPrefix> VTEP = List.of(IpPrefix.parse("179.17.1.21/24"));
  private static final List<IpPrefix> UNDERLAY = List.of(IpPrefix.parse("10.211.55.5/24"));

  private static Optional<String> problem(String cidr) {
    return PodCidrRules.problem(IpPrefix.parse(cidr), HOSTS, VTEP, UNDERLAY);
  }

  @Test
  void anOrdinaryPodCidrIsFine() {
    assertEquals(Optional.empty(), problem("10.234.111.0/24"));
    assertEquals(Optional.empty(), problem("172.16.0.0/12"));
    assertEquals(Optional.empty(), problem("fd00:1::/64"));
  }

  @Test
  void eachRuleNamesWhatThePrefixCovers() {
    assertEquals("pod CIDR 0.0.0.0/0 is the default route", problem("0.0.0.0/0").orElseThrow());
    assertEquals("pod CIDR 0:0:0:0:0:0:0:0/0 is the default route", problem("::/0").orElseThrow());
    assertEquals("pod CIDR 10.0.0.0/7 is absurdly large (shorter than /8)", problem("10.0.0.0/7").orElseThrow());
    assertEquals("pod CIDR 127.0.0.0/24 overlaps the reserved block 127.0.0.0/8", problem("127.0.0.0/24").orElseThrow());
    assertEquals("pod CIDR 224.0.0.0/24 overlaps the reserved block 224.0.0.0/4", problem("224.0.0.0/24").orElseThrow());
    assertEquals("pod CIDR 10.211.55.6/32 contains the host IP 10.211.55.6", problem("10.211.55.6/32").orElseThrow());
    assertEquals("pod CIDR 10.211.55.0/25 contains the host IP 10.211.55.5", problem("10.211.55.0/25").orElseThrow());
    assertEquals("pod CIDR 10.211.55.128/25 overlaps the underlay subnet 10.211.55.0/24", problem("10.211.55.128/25").orElseThrow());
    assertEquals("pod CIDR 179.17.1.128/25 overlaps the VTEP subnet 179.17.1.0/24", problem("179.17.1.128/25").orElseThrow());
  }

  @Test
  void theHostBitsOfTheGivenPrefixDoNotMatter() {
    assertEquals("pod CIDR 10.211.55.0/24 contains the host IP 10.211.55.5", problem("10.211.55.77/24").orElseThrow());
  }
}
