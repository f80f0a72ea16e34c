package io.vxmesh.lab.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The process mechanics of {@link AgentProcess} (namespace, PID, signals, restart, log) with a
 * stand-in JVM that sleeps until killed, so they are proven before the real agent exists.
 */
@KernelTest
class AgentProcessTest {
  @Test
  void signalsReachTheJvmInsideTheHostNamespaceByPid() throws Exception {
    TestNetns.assumeRoot();
    try (Testbed tb = Testbed.create(1, false)) {
      Host h = tb.host(0);
      Path testClasses = Path.of(FakeAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path config = tb.agentToml(h).write(tb.dir().resolve("master1.toml"));
      AgentProcess a = tb.agents().start(h, config, tb.agents().socket(h),
          List.of("-Xmx32m", "-cp", testClasses.toString(), FakeAgent.class.getName()));
      assertTrue(a.awaitLog("fake agent up", Duration.ofSeconds(20)), a.log());
      assertTrue(a.log().contains("agent --config " + config), a.log());
      long pid = a.pid();
      // `ip netns exec` execs the JVM: the PID we hold is the process in the host namespace.
      String hostNs = tb.topology().execHost(h, Duration.ofSeconds(5), "readlink", "/proc/self/ns/net").orThrow().stdout().strip();
      assertEquals(hostNs, Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString());
      assertTrue(ProcessHandle.of(pid).orElseThrow().info().command().orElse("").endsWith("java"));

      a.freeze();
      assertTrue(Poll.until(Duration.ofSeconds(5), Duration.ofMillis(20), () -> state(pid) == 'T'), "frozen: " + state(pid));
      a.thaw();
      assertTrue(Poll.until(Duration.ofSeconds(5), Duration.ofMillis(20), () -> state(pid) != 'T'), "thawed: " + state(pid));

      assertThrows(IllegalStateException.class, a::start, "a second start while running");
      a.restart(Duration.ofSeconds(10));
      assertTrue(a.log().contains("fake agent stopping"), "SIGTERM ran the shutdown hooks: " + a.log());
      assertNotEquals(pid, a.pid());
      assertTrue(a.awaitLog("=== testbed: start", Duration.ofSeconds(1)));
      assertEquals(2, a.log().split("=== testbed: start", -1).length - 1, a.log());

      long second = a.pid();
      a.kill();
      assertFalse(a.isAlive());
      assertTrue(ProcessHandle.of(second).map(p -> !p.isAlive()).orElse(true));
      assertEquals(OptionalInt.of(137), a.awaitExit(Duration.ofSeconds(1)));
      assertThrows(IllegalStateException.class, a::freeze, "no signals to a dead agent");
      assertFalse(a.awaitSocket(Duration.ofSeconds(5)), "a dead agent has no socket");
    }
  }

  private static char state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2);
    } catch (java.io.IOException e) {
      return '?';
    }
  }
}
