package io.vxmesh.lab.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.LabCommand;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.KernelTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The topology against the real kernel: root only, in namespaces it creates and removes. */
@KernelTest
class TestbedTest {
  @BeforeAll
  static void requireRoot() {
    TestNetns.assumeRoot();
  }

  @Test
  void theSeedWiredByHandPingsPodToPodWithTtl62AndHostToPodWithTtl63() {
    try (Testbed tb = Testbed.create(2, true)) {
      Host master1 = tb.host("master1");
      Host node1 = tb.host("node1");
      assertEquals("10.211.55.5", master1.spec().underlayIp().getHostAddress());
      assertEquals("10.211.55.6", node1.spec().underlayIp().getHostAddress());

      assertTrue(tb.pings().underlay(master1, node1).allReceived(), "underlay master1 -> node1");
      assertTrue(tb.pings().underlay(node1, master1).allReceived(), "underlay node1 -> master1");
      // As in the walkthrough before the routes exist: the remote pod is unreachable (its host
      // answers "Destination Net Unreachable"; from the host itself ping could not even send).
      PingResult before = tb.pings().ping(master1.requirePod().ns(), node1.spec().podIp(), 1, Duration.ofMillis(200), Duration.ofSeconds(1));
      assertEquals(0, before.received(), "remote pod reachable before any wiring: " + before.output());

      tb.topology().wireManually();

      PingResult a = tb.pings().podToPod(master1, node1);
      PingResult b = tb.pings().podToPod(node1, master1);
      assertTrue(a.allReceived(), a.output());
      assertTrue(b.allReceived(), b.output());
      assertEquals(62, a.ttl());
      assertEquals(62, b.ttl());
      PingResult h = tb.pings().hostToPod(master1, node1);
      assertTrue(h.allReceived(), h.output());
      assertEquals(63, h.ttl());
      assertEquals(63, tb.pings().hostToPod(node1, master1).ttl());

      // The kernel reads back exactly the seed's entries.
      assertEquals(List.of(new KernelTables.Neigh("179.17.1.31", "7a:3a:fe:45:a3:76", List.of("PERMANENT"))), tb.tables().neighbours(master1));
      assertEquals(List.of(new KernelTables.Fdb("7a:3a:fe:45:a3:76", "10.211.55.6", List.of("self"), "permanent")), tb.tables().fdb(master1));
      assertEquals(List.of(new KernelTables.Fdb("c2:6a:9b:e5:39:8d", "10.211.55.5", List.of("self"), "permanent")), tb.tables().fdb(node1));
      assertTrue(tb.tables().routes(node1).stream().anyMatch(r -> r.dst().equals("10.234.111.0/24") && r.gateway().equals("179.17.1.21")),
          tb.tables().routes(node1).toString());
      assertTrue(tb.convergence().converged(tb.hosts()));
      assertEquals(10001, tb.tables().vtepLink(master1).orElseThrow().path("linkinfo").path("info_data").path("id").asInt());
      assertEquals("c2:6a:9b:e5:39:8d", tb.tables().vtepLink(master1).orElseThrow().path("address").asText());

      tb.topology().unwire();
      assertTrue(tb.tables().vtepLink(master1).isEmpty());
      assertEquals(List.of(), tb.tables().routes(master1));
      assertFalse(tb.convergence().converged(tb.hosts()));
    }
  }

  @Test
  void fiveHostsReachEachOtherAndPartitionsCutOnlyBetweenGroups() {
    try (Testbed tb = Testbed.create(5, true)) {
      List<Host> hs = tb.hosts();
      assertEquals(5, hs.size());
      for (Host h : hs.subList(1, 5)) {
        assertTrue(tb.pings().underlay(hs.get(0), h).allReceived(), "underlay master1 -> " + h.name());
        assertTrue(tb.pings().underlay(h, hs.get(0)).allReceived(), "underlay " + h.name() + " -> master1");
      }
      tb.topology().wireManually();
      tb.awaitConverged(hs, Duration.ofSeconds(1), line -> { });
      for (Host h : hs.subList(1, 5)) {
        PingResult there = tb.pings().podToPod(hs.get(0), h);
        PingResult back = tb.pings().podToPod(h, hs.get(0));
        assertTrue(there.allReceived() && back.allReceived(), there + " / " + back);
        assertEquals(62, there.ttl());
      }

      tb.faults().partition(List.of(hs.get(3), hs.get(4)));
      assertEquals(0, quickPing(tb, hs.get(0), hs.get(3)).received(), "partition must cut master1 from node3");
      assertTrue(tb.pings().underlay(hs.get(3), hs.get(4)).allReceived(), "node3 and node4 stay connected");
      assertTrue(tb.pings().underlay(hs.get(0), hs.get(1)).allReceived(), "master1 and node1 stay connected");
      tb.faults().heal();
      assertTrue(tb.pings().underlay(hs.get(0), hs.get(3)).allReceived(), "healed");

      tb.faults().cutPair(hs.get(0), hs.get(1));
      assertEquals(0, quickPing(tb, hs.get(0), hs.get(1)).received(), "cutPair must cut master1 from node1");
      assertEquals(0, quickPing(tb, hs.get(1), hs.get(0)).received(), "cutPair must cut node1 from master1");
      assertTrue(tb.pings().underlay(hs.get(0), hs.get(2)).allReceived(), "master1 still reaches node2");
      assertTrue(tb.pings().underlay(hs.get(1), hs.get(2)).allReceived(), "node1 still reaches node2");
      tb.faults().restorePair(hs.get(0), hs.get(1));
      assertTrue(tb.pings().underlay(hs.get(0), hs.get(1)).allReceived(), "pair restored");

      tb.faults().isolate(hs.get(2));
      assertEquals(0, quickPing(tb, hs.get(0), hs.get(2)).received(), "isolate must cut node2");
      tb.faults().reconnect(hs.get(2));
      assertTrue(Poll.until(Duration.ofSeconds(5), Duration.ofMillis(100),
          () -> quickPing(tb, hs.get(0), hs.get(2)).received() == 1), "node2 reachable after reconnect");
    }
  }

  private static PingResult quickPing(Testbed tb, Host from, Host to) {
    return tb.pings().ping(from.ns(), to.spec().underlayIp(), 1, Duration.ofMillis(200), Duration.ofSeconds(1));
  }

  @Test
  void closeRemovesEveryNamespaceEvenWhenTheTestBodyThrows() {
    String prefix = Testbed.newPrefix();
    Path[] dir = new Path[1];
    IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
      try (Testbed tb = Testbed.create(prefix, Overlay.SEED, 3, true)) {
        dir[0] = tb.dir();
        tb.topology().wireManually();
        assertEquals(1 + 3 + 3, Testbed.listNamespaces().stream().filter(n -> n.startsWith(prefix)).count());
        throw new IllegalStateException("boom");
      }
    });
    assertEquals("boom", thrown.getMessage());
    assertEquals(List.of(), Testbed.listNamespaces().stream().filter(n -> n.startsWith(prefix)).toList());
    assertFalse(Files.exists(dir[0]), "testbed directory left behind: " + dir[0]);
  }

  @Test
  void sweepRemovesLeftoversWithThePrefixOnly() {
    String prefix = Testbed.newPrefix();
    Exec.run(Duration.ofSeconds(10), List.of("ip", "netns", "add", prefix + "-h0")).orThrow();
    Exec.run(Duration.ofSeconds(10), List.of("ip", "netns", "add", prefix + "-sw")).orThrow();
    try {
      assertEquals(List.of(prefix + "-h0", prefix + "-sw"), Testbed.sweep(prefix).stream().sorted().toList());
      assertEquals(List.of(), Testbed.listNamespaces().stream().filter(n -> n.startsWith(prefix)).toList());
      assertThrows(IllegalArgumentException.class, () -> Testbed.sweep("vx"));
    } finally {
      Testbed.sweep(prefix);
    }
  }

  @Test
  void theCliRunsInsideAHostNamespace() {
    try (Testbed tb = Testbed.create(1, false)) {
      AgentProcess a = new AgentProcess(tb.host(0), tb.dir().resolve("none.toml"), tb.agents().socket(tb.host(0)),
          tb.dir().resolve("x.log"), AgentProcess.locateJar(), AgentProcess.TEST_JVM_ARGS);
      ExecResult r = a.cli(Duration.ofSeconds(30), "--version");
      assertTrue(r.ok(), r.describeFailure());
      assertTrue(r.stdout().startsWith("vxmesh "), r.stdout());
      ExecResult ns = tb.topology().execHost(tb.host(0), Duration.ofSeconds(5), "ip", "-br", "addr", "show", tb.host(0).underlayDevice());
      assertTrue(ns.stdout().contains("10.211.55.5/24"), ns.stdout());
    }
  }

  @Test
  void demoWithManualWiringPingsEveryPodAndCleansUp() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> before = ours();
    int rc = new CommandLine(new LabCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
        .execute("demo", "--nodes", "3", "--manual");
    assertEquals(0, rc, out + "\n" + err);
    assertTrue(out.toString().contains("all pings worked"), out.toString());
    assertEquals(6, out.toString().split("ok ttl=62", -1).length - 1, out.toString());
    assertEquals(before, ours());
  }

  /** Namespaces of testbeds only: other suites on this machine create and delete their own. */
  static List<String> ours() {
    return Testbed.listNamespaces().stream().filter(n -> n.startsWith(Testbed.PREFIX_STEM)).toList();
  }

  @Test
  void convergenceTimesOutNamingTheMissingRoutes() {
    try (Testbed tb = Testbed.create(2, false)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> tb.awaitConverged(tb.hosts(), Duration.ofMillis(300), line -> { }));
      assertTrue(e.getMessage().contains("master1 lacks routes to node1 (10.234.118.0/24 via 179.17.1.31)"), e.getMessage());
      Map<String, List<String>> missing = tb.convergence().missingRoutes(tb.hosts());
      assertEquals(2, missing.size());
    }
  }
}
