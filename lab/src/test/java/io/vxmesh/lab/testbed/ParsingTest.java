package io.vxmesh.lab.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of ping and iproute2 output, and the agent config we write: no root needed. */
class ParsingTest {
  @Test
  void pingOutputGivesCountsAndTtls() {
    String out = """
        PING 10.234.118.10 (10.234.118.10) 56(84) bytes of data.
        64 bytes from 10.234.118.10: icmp_seq=1 ttl=62 time=0.888 ms
        64 bytes from 10.234.118.10: icmp_seq=3 ttl=62 time=1.15 ms

        --- 10.234.118.10 ping statistics ---
        3 packets transmitted, 2 received, 33.3333% packet loss, time 2003ms
        """;
    PingResult p = PingResult.parse("10.234.118.10", out);
    assertEquals(3, p.transmitted());
    assertEquals(2, p.received());
    assertEquals(1, p.lost());
    assertEquals(List.of(62, 62), p.ttls());
    assertFalse(p.allReceived());
    PingResult none = PingResult.of("x", 1, """
        PING 10.77.0.9 (10.77.0.9) 56(84) bytes of data.
        From 10.77.0.1 icmp_seq=1 Destination Host Unreachable

        --- 10.77.0.9 ping statistics ---
        2 packets transmitted, 0 received, +1 errors, 100% packet loss, time 1010ms
        """);
    assertEquals(2, none.transmitted());
    assertEquals(0, none.received());
    assertFalse(none.allReceived());
    assertEquals(-1, none.ttl());
  }

  /**
   * A ping that did not run says nothing about reachability: it must throw, never read as
   * "0 of 0 received" (a check that a pod is unreachable would pass without ping installed).
   */
  @Test
  void aPingThatDidNotRunThrowsInsteadOfReadingAsNothingReceived() {
    String missing = "exec of \"ping\" failed: No such file or directory\n"; // ip netns exec, exit status 1
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> PingResult.of("10.0.0.9", 1, missing));
    assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> PingResult.parse("10.0.0.9", missing), "no summary");
    assertThrows(IllegalStateException.class, () -> PingResult.of("10.0.0.9", 2, "ping: connect: Network is unreachable\n"));
    assertThrows(IllegalStateException.class, () -> PingResult.of("10.0.0.9", 2,
        "2 packets transmitted, 0 received\n"), "exit status 2 is an error even with a summary");
    ExecResult timedOut = new ExecResult(List.of("ping", "10.0.0.9"), -1, "", "", true, java.time.Duration.ofSeconds(5));
    assertThrows(IllegalStateException.class, () -> PingResult.of("10.0.0.9", timedOut));
    assertEquals(2, PingResult.of("10.0.0.9", new ExecResult(List.of("ping"), 0, "2 packets transmitted, 2 received\n", "", false,
        java.time.Duration.ofSeconds(1))).received());
  }

  @Test
  void iproute2JsonParsesIntoEntries() {
    assertEquals(List.of(new KernelTables.Neigh("179.17.1.31", "7a:3a:fe:45:a3:76", List.of("PERMANENT"))),
        KernelTables.parseNeighs("[{\"dst\":\"179.17.1.31\",\"lladdr\":\"7a:3a:fe:45:a3:76\",\"state\":[\"PERMANENT\"]}]"));
    KernelTables.Fdb f = KernelTables.parseFdbs("[{\"mac\":\"7a:3a:fe:45:a3:76\",\"dst\":\"10.211.55.6\",\"flags\":[\"self\"],\"state\":\"permanent\"}]").get(0);
    assertTrue(f.selfPermanent());
    List<KernelTables.Route> r = KernelTables.parseRoutes("[{\"dst\":\"10.234.118.0/24\",\"gateway\":\"179.17.1.31\",\"flags\":[]},"
        + "{\"dst\":\"10.234.119.0/24\",\"nhid\":5,\"gateway\":\"179.17.1.31\",\"protocol\":\"77\",\"flags\":[\"onlink\"]}]");
    assertEquals(new KernelTables.Route("10.234.118.0/24", "179.17.1.31", "boot", null, 0, List.of()), r.get(0));
    assertEquals(5, r.get(1).nhid());
    assertEquals("77", r.get(1).protocol());
    assertEquals(List.of(), KernelTables.parseRoutes(""));
    assertThrows(IllegalArgumentException.class, () -> KernelTables.parseRoutes("{\"not\":\"an array\"}"));
  }

  @Test
  void agentTomlIsTheIssueSchemaWithExtrasInTheirTables() throws Exception {
    Host host = new Host(HostSpec.of(1), "vxb0000-h1", "vxb0000-u1", "vxb0000-s1", null);
    Host seed = new Host(HostSpec.of(0), "vxb0000-h0", "vxb0000-u0", "vxb0000-s0", null);
    AgentToml c = AgentToml.forHost(host, Overlay.SEED, List.of(seed), Path.of("/tmp/k.key"), Path.of("/tmp/n.sock"))
        .with("gossip.failure_timeout", "2s").with("log_level", "debug").with("network.mtu", 1400);
    JsonNode t = new TomlMapper().readTree(c.toToml());
    assertEquals("node1", t.path("node_name").asText());
    assertEquals("debug", t.path("log_level").asText());
    assertEquals("10.211.55.6", t.path("gossip").path("advertise").asText());
    assertEquals(7947, t.path("gossip").path("port").asInt());
    assertEquals("10.211.55.5:7947", t.path("gossip").path("join").get(0).asText());
    assertEquals("/tmp/k.key", t.path("gossip").path("key_file").asText());
    assertEquals("2s", t.path("gossip").path("failure_timeout").asText());
    assertEquals("/tmp/n.sock", t.path("api").path("socket").asText());
    JsonNode n = t.path("network").get(0);
    assertEquals("vxlan-test", n.path("device").asText());
    assertEquals(10001, n.path("vni").asInt());
    assertEquals(4899, n.path("port").asInt());
    assertEquals("vxb0000-u1", n.path("underlay").asText());
    assertEquals("179.17.1.31/24", n.path("vtep_address").asText());
    assertEquals("7a:3a:fe:45:a3:76", n.path("vtep_mac").asText());
    assertEquals("10.234.118.0/24", n.path("pod_cidr").asText());
    assertEquals(1400, n.path("mtu").asInt());
    JsonNode seedToml = new TomlMapper().readTree(AgentToml.forHost(seed, Overlay.SEED, List.of(seed), Path.of("/k"), Path.of("/s")).toToml());
    assertEquals(0, seedToml.path("gossip").path("join").size(), "the first host starts a new mesh");
  }
}
