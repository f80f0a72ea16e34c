package io.vxmesh.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class HostPortTest {
  private static String error(String text, int defaultPort) {
    return assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text, defaultPort)).getMessage();
  }

  @Test
  void printsIpv4PlainAndIpv6InBracketsAndParsesWhatItPrints() {
    HostPort v4 = new HostPort(IpAddresses.parse("10.211.55.5"), 7947);
    HostPort v6 = new HostPort(IpAddresses.parse("fd00::5"), 7000);
    assertEquals("10.211.55.5:7947", v4.toString());
    assertEquals("[fd00:0:0:0:0:0:0:5]:7000", v6.toString());
    assertEquals(v4, HostPort.parse(v4.toString()));
    assertEquals(v6, HostPort.parse(v6.toString()));
    assertEquals(v6, HostPort.parse("[fd00::5]:7000"));
    assertEquals(v4, HostPort.of(v4.toSocketAddress()));
    assertEquals(new InetSocketAddress(IpAddresses.parse("10.211.55.5"), 7947), v4.toSocketAddress());
  }

  @Test
  void aBareIpv6AddressWithPortAsOlderSnapshotsHoldReadsTheLastColonAsThePort() {
    assertEquals(new HostPort(IpAddresses.parse("fd00::1"), 7947), HostPort.parse("fd00::1:7947"));
  }

  @Test
  void thePortMayBeLeftOutOnlyWhenThereIsADefault() {
    assertEquals(new HostPort(IpAddresses.parse("10.0.0.2"), 7947), HostPort.parse("10.0.0.2", 7947));
    assertEquals(new HostPort(IpAddresses.parse("fd00::2"), 7947), HostPort.parse("fd00::2", 7947));
    assertEquals(new HostPort(IpAddresses.parse("fd00::2"), 7947), HostPort.parse("[fd00::2]", 7947));
    assertEquals(new HostPort(IpAddresses.parse("fd00::2"), 8000), HostPort.parse("[fd00::2]:8000", 7947));
    assertEquals("'10.0.0.2' is not host:port", error("10.0.0.2", 0));
  }

  @Test
  void errorsNameTheTextAndTheReason() {
    assertEquals("'10.0.0.2:99999' has a bad port (want 1..65535)", error("10.0.0.2:99999", 0));
    assertEquals("'10.0.0.2:x' has a bad port (want 1..65535)", error("10.0.0.2:x", 7947));
    assertEquals("'[fd00::2' is not host:port", error("[fd00::2", 7947));
    assertEquals("'[fd00::2]8000' is not [ipv6]:port", error("[fd00::2]8000", 7947));
    assertEquals("'seed.example' is not an IPv4 address", error("seed.example:7947", 0));
    assertEquals("'' is not host:port", error("", 0));
    assertEquals("port 0 is outside 1..65535",
        assertThrows(IllegalArgumentException.class, () -> new HostPort(IpAddresses.parse("10.0.0.1"), 0)).getMessage());
  }
}
