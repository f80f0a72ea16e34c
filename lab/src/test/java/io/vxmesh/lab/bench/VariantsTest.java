package io.vxmesh.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.gossip.GossipProtocol;
import io.vxmesh.gossip.GossipSettings;
import io.vxmesh.lab.testbed.AgentToml;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The benchmark variants (--timers), the ratio columns against the baselines and the spread targets: pure logic. */
class VariantsTest {
  @Test
  void variantsParseInTheirOrderOnceEachAndUnknownNamesAreRefused() {
    assertEquals(List.of(TimerSet.VXMESH, TimerSet.BEFORE, TimerSet.ATOMIX),
        TimerSet.parseList(List.of("vxmesh", "before", "atomix-defaults")));
    assertEquals(List.of(TimerSet.ATOMIX, TimerSet.VXMESH), TimerSet.parseList(List.of("atomix,vxmesh", " Atomix-Defaults ")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimerSet.parseList(List.of("vxmesh", "fast")));
    assertTrue(e.getMessage().contains("'fast'") && e.getMessage().contains("before"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TimerSet.parseList(List.of(",")));
    assertEquals("vxmesh,before", TimerSet.labels(TimerSet.parseList(List.of(TimerSet.DEFAULT_LIST))));
  }

  @Test
  void everyBenchDefaultsToVxmeshAndBefore() {
    for (Object bench : List.of(new JoinBench(), new FailureBench(), new FootprintBench(), new RestartBench(), new SpreadBench(),
        new GossipBench(), new LifeguardBench())) {
      CommandLine cl = new CommandLine(bench);
      cl.parseArgs();
      assertEquals(List.of("vxmesh", "before"), cl.getCommandSpec().findOption("--timers").getValue(), bench.getClass().getSimpleName());
    }
  }

  @Test
  void anUnknownVariantIsAUsageErrorOfEveryBench() {
    for (Object bench : List.of(new JoinBench(), new FailureBench(), new FootprintBench(), new RestartBench(), new SpreadBench(),
        new GossipBench(), new LifeguardBench())) {
      CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
          () -> new CommandLine(bench).parseArgs("--timers", "vxmesh,fast"), bench.getClass().getSimpleName());
      assertTrue(e.getMessage().contains("unknown variant 'fast'"), e.getMessage());
    }
  }

  @Test
  void beforeIsAtomixProtocolWithTheOldShippedTimersAndAtomixDefaultsItsOwnTimers() {
    GossipSettings.GossipTimers shipped = GossipSettings.GossipTimers.defaults();
    assertEquals(GossipProtocol.VXMESH, TimerSet.VXMESH.protocol());
    assertEquals(shipped, TimerSet.VXMESH.gossipTimers());
    assertEquals(Map.of(), TimerSet.VXMESH.keys());

    assertEquals(GossipProtocol.ATOMIX, TimerSet.BEFORE.protocol());
    GossipSettings.GossipTimers before = TimerSet.BEFORE.gossipTimers();
    assertEquals(3, before.gossipFanout());
    assertEquals(shipped.probeTimeout(), before.probeTimeout());
    assertEquals(shipped.gossipInterval(), before.gossipInterval());
    assertEquals(Map.of("gossip.protocol", "atomix", "gossip.gossip_fanout", 3), TimerSet.BEFORE.keys());

    assertEquals(GossipProtocol.ATOMIX, TimerSet.ATOMIX.protocol());
    assertEquals(Duration.ofSeconds(10), TimerSet.ATOMIX.gossipTimers().failureTimeout());
    assertEquals(2, TimerSet.ATOMIX.gossipTimers().gossipFanout());
    assertEquals("atomix", TimerSet.ATOMIX.keys().get("gossip.protocol"));
    assertEquals(2000, TimerSet.ATOMIX.keys().get("gossip.probe_timeout_ms"));
  }

  @Test
  void theAgentConfigOfBeforeSelectsAtomixInTheGossipTable() {
    AgentToml c = new AgentToml("node1", "10.211.55.6", 7947, List.of(), Path.of("/k"), Path.of("/s"), "vxlan-test", 10001, 4789,
        "u1", "179.17.1.31/24", null, "10.234.118.0/24", Map.of());
    String toml = TimerSet.BEFORE.apply(c).toToml();
    String gossip = toml.substring(toml.indexOf("[gossip]"), toml.indexOf("[api]"));
    assertTrue(gossip.contains("protocol = \"atomix\"") && gossip.contains("gossip_fanout = 3"), toml);
    assertEquals(c.toToml(), TimerSet.VXMESH.apply(c).toToml());
  }

  @Test
  void ratioColumnsAreOnePerBaselineWithADashInItsOwnRow() {
    List<TimerSet> run = List.of(TimerSet.VXMESH, TimerSet.BEFORE, TimerSet.ATOMIX);
    assertEquals(List.of("before/this_p99", "atomix-defaults/this_p99"), Ratios.headers(run, "p99"));
    Map<TimerSet, Double> p99 = Map.of(TimerSet.VXMESH, 100.0, TimerSet.BEFORE, 300.0, TimerSet.ATOMIX, Double.NaN);
    assertEquals(List.of("3.00x", "n/a"), Ratios.cells(TimerSet.VXMESH, run, p99::get));
    assertEquals(List.of("-", "n/a"), Ratios.cells(TimerSet.BEFORE, run, p99::get));
    assertEquals(List.of(), Ratios.headers(List.of(TimerSet.VXMESH), "p99"), "no baseline in the run: no ratio column");
  }

  @Test
  void spreadTargetsAreViewsChangeP99AndIdleCpuPerMember() {
    Samples fast = new Samples().add(200).add(900);
    Samples slow = new Samples().add(200).add(1200);
    Samples unreached = new Samples().add(200).add(-1);
    assertEquals("yes/yes/yes", SpreadBench.targets(new SpreadBench.Row(TimerSet.VXMESH, 4000, fast, fast, 100, 0.4)));
    assertEquals("no/yes/yes", SpreadBench.targets(new SpreadBench.Row(TimerSet.VXMESH, 5100, fast, fast, 100, 0.4)));
    assertEquals("no/yes/yes", SpreadBench.targets(new SpreadBench.Row(TimerSet.VXMESH, -1, fast, fast, 100, 0.4)), "views n/a");
    assertEquals("yes/no/yes", SpreadBench.targets(new SpreadBench.Row(TimerSet.VXMESH, 4000, slow, slow, 100, 0.4)));
    assertEquals("yes/no/yes", SpreadBench.targets(new SpreadBench.Row(TimerSet.VXMESH, 4000, unreached, unreached, 100, 0.4)));
    assertEquals("yes/yes/no", SpreadBench.targets(new SpreadBench.Row(TimerSet.VXMESH, 4000, fast, fast, 100, 0.6)));
    assertTrue(SpreadBench.targetsMet(new SpreadBench.Row(TimerSet.VXMESH, 4000, fast, fast, 100, 0.5)));
    // 100 ticks/s, 10 s, 100 members: 50 ticks are 5 % of a core, 0.05 % per member.
    assertEquals(0.05, SpreadBench.cpuPctPerMember(50, 100, 10, 100), 1e-9);
    assertEquals("5.00", SpreadBench.seconds(4999));
    assertEquals("n/a", SpreadBench.seconds(-1));
  }
}
