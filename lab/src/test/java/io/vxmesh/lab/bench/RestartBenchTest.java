package io.vxmesh.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.PingResult;
import java.time.Duration;
import java.util.List;
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
  void aPingThatNeverRanOrPrintedNoSummaryIsNotASample() {
    // What `ip netns exec` prints when the namespace is gone, a ping that printed replies but no
    // summary (killed), and one that timed out: none is "0 lost".
    assertNull(RestartBench.ranToItsEnd(TARGET, exec(1, "", "Cannot open network namespace \"x\": No such file or directory\n", false)));
    assertNull(RestartBench.ranToItsEnd(TARGET, exec(0, "", "", false)));
    assertNull(RestartBench.ranToItsEnd(TARGET, exec(0,
        "64 bytes from 10.234.120.10: icmp_seq=1 ttl=62 time=0.1 ms\n64 bytes from 10.234.120.10: icmp_seq=2 ttl=62 time=0.1 ms\n", "", false)));
    assertNull(RestartBench.ranToItsEnd(TARGET, exec(0, "1500 packets transmitted, 1500 received\n", "", true)));
    PingResult ran = RestartBench.ranToItsEnd(TARGET, exec(0, "1500 packets transmitted, 1499 received, 0.07% packet loss\n", "", false));
    assertEquals(OptionalInt.of(1), RestartBench.lostOf(ran, 1500));
  }

  private static ExecResult exec(int exit, String out, String err, boolean timedOut) {
    return new ExecResult(List.of("ping"), exit, out, err, timedOut, Duration.ofSeconds(15));
  }

  @Test
  void aSummaryOfFewerPacketsThanAskedDidNotCoverTheRestart() {
    PingResult early = PingResult.parse(TARGET, "200 packets transmitted, 200 received, 0% packet loss, time 2001ms\n");
    assertTrue(RestartBench.lostOf(early, 1500).isEmpty());
    assertTrue(RestartBench.lostOf(PingResult.parse(TARGET, "0 packets transmitted, 0 received\n"), 1500).isEmpty());
  }
}
