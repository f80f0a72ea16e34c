package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.Exec;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.testing.E2ETest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's run command, as a user runs it: {@code java -jar lab/target/vxmesh-lab.jar demo --nodes 3}. */
@E2ETest
class DemoE2ETest {
  @Test
  void theDemoConvergesPingsEveryPodAndLeavesNothingBehind() {
    Mesh.requireRootAndAgent();
    List<String> before = ours();
    ExecResult r = Exec.run(Duration.ofSeconds(180),
        List.of(AgentProcess.javaBinary(), "-jar", System.getProperty("vxmesh.lab.jar", "target/vxmesh-lab.jar"), "demo", "--nodes", "3"));
    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    assertTrue(r.stdout().contains("all pings worked"), r.stdout());
    assertTrue(r.stdout().contains("alive"), "vxmesh members output missing: " + r.stdout());
    assertEquals(before, ours(), "the demo left namespaces behind");
  }

  private static List<String> ours() {
    return Testbed.listNamespaces().stream().filter(n -> n.startsWith(Testbed.PREFIX_STEM)).toList();
  }
}
