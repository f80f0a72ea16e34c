package io.vxmesh.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.testbed.AgentProcess;
import io.vxmesh.testbed.Exec;
import io.vxmesh.testbed.Host;
import io.vxmesh.testbed.Poll;
import io.vxmesh.testbed.Testbed;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real agent ({@code java -jar vxmesh.jar agent}) in a namespace host, stopped the way
 * systemd stops it: SIGTERM must be an orderly stop with exit 0 (else {@code systemctl stop}
 * leaves the unit failed), keeping the kernel state for a hitless restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentUnderSystemdTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration STOP = Duration.ofSeconds(20);
  private Testbed tb;
  private Host host;

  @BeforeAll
  void oneHost() {
    Assumptions.assumeTrue(Testbed.isRoot(), "SKIPPED LOUDLY: AgentUnderSystemdTest needs root to create a network namespace");
    tb = Testbed.create(1, false);
    host = tb.host(0);
  }

  @AfterAll
  void removeEverything() {
    if (tb != null) {
      tb.close();
    }
  }

  private AgentProcess started() {
    AgentProcess a = tb.startAgent(host);
    // This run's lines only: the log file keeps the earlier runs of this host.
    assertTrue(Poll.until(START, Duration.ofMillis(50), () -> lastRun(a).contains("agent ready")), "agent never got ready:\n" + a.log());
    return a;
  }

  private static String lastRun(AgentProcess a) {
    return a.log().substring(a.log().lastIndexOf("=== testbed: start"));
  }

  @Test
  void sigtermIsAnOrderlyStopWithExit0AndKeepsTheKernelState() {
    AgentProcess a = started();
    assertEquals(0, a.stop(STOP), "exit code after SIGTERM; log:\n" + a.log());
    String log = lastRun(a);
    assertTrue(log.contains("agent stopped node=master1"), "no 'agent stopped' line:\n" + log);
    assertEquals(1, log.split("agent stopping node=", -1).length - 1, "closed exactly once:\n" + log);
    assertTrue(log.indexOf("agent stopping") < log.indexOf("agent stopped"), log);
    assertTrue(tb.vtepLink(host).isPresent(), "SIGTERM is a hitless restart: the VTEP device stays");
  }

  @Test
  void sigintStopsTheSameWay() {
    AgentProcess a = started();
    Exec.run(Duration.ofSeconds(5), List.of("kill", "-INT", Long.toString(a.pid()))).orThrow();
    assertEquals(OptionalInt.of(0), a.awaitExit(STOP), "exit code after SIGINT; log:\n" + a.log());
    assertTrue(lastRun(a).contains("agent stopped node=master1"), lastRun(a));
  }
}
