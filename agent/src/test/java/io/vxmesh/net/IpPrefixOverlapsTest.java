package io.vxmesh.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link IpPrefix#overlaps}: the common prefix decides, at byte and bit boundaries, both ways round. */
class IpPrefixOverlapsTest {
  @ParameterizedTest
  @CsvSource({
      "10.0.0.0/8, 10.255.1.0/24, true",
      "10.0.0.0/8, 11.0.0.0/8, false",
      "10.1.2.0/23, 10.1.3.7/32, true",
      "10.1.2.0/24, 10.1.3.7/32, false",
      "192.168.1.128/25, 192.168.1.127/32, false",
      "192.168.1.128/25, 192.168.1.129/32, true",
      "0.0.0.0/0, 203.0.113.9/32, true",
      "203.0.113.9/32, 203.0.113.9/32, true",
      "203.0.113.9/32, 203.0.113.8/32, false",
      "10.0.0.0/8, 2001:db8::/32, false",
      "2001:db8::/32, 2001:db8:ffff::1/128, true",
      "2001:db8::/33, 2001:db8:8000::1/128, false"})
  void overlapsWhenTheShorterPrefixContainsTheOther(String a, String b, boolean expected) {
    assertEquals(expected, IpPrefix.parse(a).overlaps(IpPrefix.parse(b)), a + " / " + b);
    assertEquals(expected, IpPrefix.parse(b).overlaps(IpPrefix.parse(a)), b + " / " + a);
  }
}
