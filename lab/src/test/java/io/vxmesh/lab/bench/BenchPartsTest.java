package io.vxmesh.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.KernelTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The parsing and statistics the benchmark tables rest on, and one cheap real scale run. */
class BenchPartsTest {
  @Test
  void percentileIsNearestRankSoP99OfFiveIsTheMaximum() {
    List<Double> v = List.of(5.0, 1.0, 4.0, 2.0, 3.0);
    assertEquals(3.0, BenchSupport.percentile(v, 50));
    assertEquals(5.0, BenchSupport.percentile(v, 99));
    assertEquals(1.0, BenchSupport.percentile(v, 0));
    assertTrue(Double.isNaN(BenchSupport.percentile(List.of(), 50)));
  }

  @Test
  void firstReplyOfPingDashDIsTimedFromTheStartAndErrorsDoNotCount() {
    Instant wall0 = Instant.ofEpochSecond(1_700_000_000L, 500_000_000L);
    String out = "PING 10.234.120.10 (10.234.120.10) 56(84) bytes of data.\n"
        + "[1700000000.600000] From 10.234.111.1 icmp_seq=1 Destination Net Unreachable\n"
        + "[1700000001.250000] 64 bytes from 10.234.120.10: icmp_seq=38 ttl=62 time=0.1 ms\n"
        + "[1700000001.270000] 64 bytes from 10.234.120.10: icmp_seq=39 ttl=62 time=0.1 ms\n";
    assertEquals(750.0, PodPings.firstReplyMs(out, wall0), 0.01);
    assertEquals(-1.0, PodPings.firstReplyMs("[1700000000.600000] From 10.234.111.1 icmp_seq=1 Destination Net Unreachable\n", wall0));
  }

  @Test
  void iperfJsonGivesMeanSlowestSecondAndRetransmits() {
    String json = "{\"intervals\":[{\"sum\":{\"bits_per_second\":9.0e9}},{\"sum\":{\"bits_per_second\":2.0e9}}],"
        + "\"end\":{\"sum_sent\":{\"retransmits\":17},\"sum_received\":{\"bits_per_second\":5.5e9}}}";
    ThroughputBench.Run r = ThroughputBench.parse(new ExecResult(List.of("iperf3"), 0, json, "", false, Duration.ZERO));
    assertEquals(5.5, r.gbps(), 1e-9);
    assertEquals(2.0, r.minIntervalGbps(), 1e-9);
    assertEquals(17, r.retransmits());
    assertThrows(IllegalStateException.class, () -> ThroughputBench.parse(
        new ExecResult(List.of("iperf3"), 1, "{\"error\":\"unable to connect to server\"}", "", false, Duration.ZERO)));
    // A run cut short prints JSON without its end summary: not a 0 Gbit/s sample.
    assertThrows(IllegalStateException.class, () -> ThroughputBench.parse(new ExecResult(List.of("iperf3"), 0,
        "{\"intervals\":[{\"sum\":{\"bits_per_second\":9.0e9}}],\"end\":{}}", "", false, Duration.ZERO)));
    assertThrows(IllegalStateException.class, () -> ThroughputBench.parse(new ExecResult(List.of("iperf3"), 0,
        "{\"intervals\":[],\"end\":{\"sum_received\":{\"bits_per_second\":5.5e9}}}", "", false, Duration.ZERO)));
  }


  @Test
  void scaleGoalIsJudgedAtTenThousandMembersOnlyAndNeedsBothBounds() {
    assertEquals("yes", ScaleBench.goalMet(10_000, 77, 247));
    assertEquals("no", ScaleBench.goalMet(10_000, 1001, 5000), "slower than 1 s");
    assertEquals("no", ScaleBench.goalMet(10_000, 100, 150), "less than 2x ip -batch");
    assertEquals("no", ScaleBench.goalMet(10_000, Double.NaN, 150), "not measured");
    assertEquals("-", ScaleBench.goalMet(5_000, 63, 125), "the goal is not set for 5,000");
  }

  @KernelTest
  @Test
  void scaleBenchConvergesAndCleansSyntheticMembersInARealNamespace() {
    TestNetns.assumeRoot();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int rc;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      rc = new CommandLine(new ScaleBench()).execute("--peers", "200", "--repeats", "1");
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, out);
    // The run verified 4 x 200 objects by dump after converging and none after cleaning; else it throws.
    assertTrue(out.lines().anyMatch(l -> l.startsWith("bench scale p200_converge_ms=") && l.contains(" goal_met=n/a ")), out);
    assertTrue(out.contains("goal not evaluated: 10000 not in --peers"), out);
    assertTrue(Testbed.listNamespaces().stream().noneMatch(ns -> ns.endsWith("-scale") && ns.startsWith(Testbed.PREFIX_STEM)), "namespace left");
  }
}
