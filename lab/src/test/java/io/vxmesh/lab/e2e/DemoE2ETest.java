package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.Exec;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.testing.E2ETest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's run command, as a user runs it: {@code java -jar lab/target/vxmesh-lab.jar demo --nodes 3}. */
@E2ETest
class DemoE2ETest {
  static final String JAR = System.getProperty("vxmesh.lab.jar", "target/vxmesh-lab.jar");
  /** Where host-local keeps its leases by default: the demo must never write there. */
  static final Path DEFAULT_CNI_STATE = Path.of("/var/lib/cni/networks/vxmesh");

  @Test
  void theDemoMakesPodsThroughTheCniPluginsPingsEveryPodAndLeavesNothingBehind() throws IOException {
    Mesh.requireRootAndAgent();
    boolean cniStateBefore = Files.exists(DEFAULT_CNI_STATE);
    ExecResult r = Exec.run(Duration.ofSeconds(180), List.of(AgentProcess.javaBinary(), "-jar", JAR, "demo", "--nodes", "3"));
    System.out.println(r.stdout());
    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    String out = r.stdout();
    assertTrue(out.contains("all pings worked"), out);
    assertTrue(out.contains("alive"), "vxmesh members output missing: " + out);
    // host-local's first address of each pod CIDR (.1 is the bridge's gateway)
    for (String cidr : List.of("10.234.111.2/24", "10.234.118.2/24", "10.234.120.2/24")) {
      assertTrue(out.lines().anyMatch(l -> l.contains("eth0 " + cidr + " (host-local)")), "pod " + cidr + " made by ADD: " + out);
    }
    for (String ip : List.of("10.234.111.2", "10.234.118.2", "10.234.120.2")) {
      assertTrue(out.lines().anyMatch(l -> l.startsWith("CNI_COMMAND=DEL ") && l.endsWith("released " + ip)),
          "DEL released " + ip + ": " + out);
    }
    Matcher prefix = Pattern.compile("prefix (" + Testbed.PREFIX_STEM + "[0-9a-f]{4})").matcher(out);
    assertTrue(prefix.find(), out);
    // Only this run's: other suites on the machine may have testbeds of their own up right now.
    assertEquals(List.of(), Testbed.listNamespaces().stream().filter(n -> n.startsWith(prefix.group(1))).toList(),
        "the demo left namespaces (hosts, switch or pods) behind");
    assertFalse(Files.exists(Path.of(System.getProperty("java.io.tmpdir"), "vxmesh-" + prefix.group(1))),
        "the run directory (configs, logs, host-local state) is gone");
    assertEquals(cniStateBefore, Files.exists(DEFAULT_CNI_STATE), "host-local never wrote " + DEFAULT_CNI_STATE);
  }

  /** The tool check runs first (no root needed): no plugins where CNI_PATH points, exit 69 naming the package. */
  @Test
  void withoutTheCniPluginsTheDemoNamesThePackageAndExits69(@TempDir Path empty) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(AgentProcess.javaBinary(), "-jar", JAR, "demo");
    pb.environment().put("CNI_PATH", empty.toString());
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the demo exits at its tool check");
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(69, p.exitValue(), err);
    assertEquals("vxmesh-lab demo: missing tools: " + empty.resolve("bridge") + ", " + empty.resolve("host-local")
        + " (apt-get install containernetworking-plugins)", err.strip());
  }
}
