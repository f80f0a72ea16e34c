package io.vxmesh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.testbed.PingResult;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** A restart counts as "0 lost" only when ping's own summary says it sent every packet asked for. */
class RestartBenchTest {
  private static final String TARGET = "10.234.120.10";

  @Test
  void aFullSummaryGivesThePacketsLost() {
    PingResult p = PingResult.parse(TARGET, "64 bytes from 10.234.120.10: icmp_seq=1 ttl=62 time=0.1 ms\n"
        + "--- 10.234.120.10 ping statistics ---\n1500 packets transmitted, 1475 received, 1.66667% packet loss, time 15123ms\n");
    assertEquals(OptionalInt.of(25), RestartBench.lostOf(p, 1500));
    PingResult clean = PingResult.parse(TARGET, "1500 packets transmitted, 1500 received, 0% packet loss, time 15001ms\n");
    assertEquals(OptionalInt.of(0), RestartBench.lostOf(clean, 1500));
  }

  @Test
  void aPingThatNeverRanOrPrintedNoSummaryIsNotZeroLost() {
    // What `ip netns exec` prints when the namespace is gone, and a ping killed at the exec timeout.
    assertTrue(RestartBench.lostOf(PingResult.parse(TARGET, "Cannot open network namespace \"x\": No such file or directory\n"), 1500).isEmpty());
    assertTrue(RestartBench.lostOf(PingResult.parse(TARGET, ""), 1500).isEmpty());
    assertTrue(RestartBench.lostOf(PingResult.parse(TARGET,
        "64 bytes from 10.234.120.10: icmp_seq=1 ttl=62 time=0.1 ms\n64 bytes from 10.234.120.10: icmp_seq=2 ttl=62 time=0.1 ms\n"), 1500).isEmpty());
  }

  @Test
  void aSummaryOfFewerPacketsThanAskedDidNotCoverTheRestart() {
    PingResult early = PingResult.parse(TARGET, "200 packets transmitted, 200 received, 0% packet loss, time 2001ms\n");
    assertTrue(RestartBench.lostOf(early, 1500).isEmpty());
    assertTrue(RestartBench.lostOf(PingResult.parse(TARGET, "0 packets transmitted, 0 received\n"), 1500).isEmpty());
  }
}
