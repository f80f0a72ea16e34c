package io.vxmesh.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JoinEntryTest {
  private static String error(String text) {
    return assertThrows(IllegalArgumentException.class, () -> JoinEntry.parse(text, 7947)).getMessage();
  }

  @Test
  void ipv4LiteralsWithAndWithoutPortAreLiterals() {
    assertEquals(new JoinEntry.Literal(HostPort.parse("10.211.55.6:7947")), JoinEntry.parse("10.211.55.6", 7947));
    assertEquals(new JoinEntry.Literal(HostPort.parse("10.211.55.6:8000")), JoinEntry.parse(" 10.211.55.6:8000 ", 7947));
    assertEquals("10.211.55.6:7947", JoinEntry.parse("10.211.55.6", 7947).toString());
  }

  @Test
  void ipv6LiteralsInBracketsOrBareAreLiterals() {
    assertEquals(new JoinEntry.Literal(HostPort.parse("[2001:db8::1]:7946")), JoinEntry.parse("[2001:db8::1]:7946", 7947));
    assertEquals(new JoinEntry.Literal(HostPort.parse("[2001:db8::1]:7947")), JoinEntry.parse("[2001:db8::1]", 7947));
    assertEquals(new JoinEntry.Literal(HostPort.parse("[2001:db8::1]:7947")), JoinEntry.parse("2001:db8::1", 7947));
  }

  @Test
  void namesAreKeptForLaterLookupLowerCasedWithTheDefaultPort() {
    assertEquals(new JoinEntry.Name("seeds.example.com", 7947), JoinEntry.parse("Seeds.Example.COM", 7947));
    assertEquals(new JoinEntry.Name("seeds.example.com", 8000), JoinEntry.parse("seeds.example.com.:8000", 7947));
    assertEquals(new JoinEntry.Name("master1", 7947), JoinEntry.parse("master1", 7947));
    assertEquals(new JoinEntry.Name("a-1.b2", 7947), JoinEntry.parse("a-1.b2", 7947));
    assertEquals("seeds.example.com:8000", JoinEntry.parse("seeds.example.com:8000", 7947).toString());
  }

  @Test
  void badEntriesSayWhy() {
    assertEquals("'10.0.0.256' is not an IPv4 address", error("10.0.0.256"));
    assertEquals("'10.0.0' is not an IPv4 address", error("10.0.0"));
    assertEquals("'seeds.example.com:99999' has a bad port (want 1..65535)", error("seeds.example.com:99999"));
    assertEquals("'seeds.example.com:' has a bad port (want 1..65535)", error("seeds.example.com:"));
    assertEquals("'seeds.example.com:x' has a bad port (want 1..65535)", error("seeds.example.com:x"));
    assertEquals("'seeds_1.example' is not a host name: label 'seeds_1' must be 1..63 letters, digits or '-',"
        + " not starting or ending with '-'", error("seeds_1.example"));
    assertEquals("'-seed' is not a host name: label '-seed' must be 1..63 letters, digits or '-',"
        + " not starting or ending with '-'", error("-seed"));
    assertEquals("'a..b' is not a host name: label '' must be 1..63 letters, digits or '-',"
        + " not starting or ending with '-'", error("a..b"));
    assertEquals("'seed.123' is neither an IPv4 address nor a host name", error("seed.123"));
    assertEquals("'http://seed' has a bad port (want 1..65535)", error("http://seed"));
    assertEquals("'" + "a".repeat(64) + "' is not a host name: label '" + "a".repeat(64)
        + "' must be 1..63 letters, digits or '-', not starting or ending with '-'", error("a".repeat(64)));
    assertEquals("'' is not host:port", error(""));
    assertEquals("'[2001:db8::1' is not host:port", error("[2001:db8::1"));
  }
}
