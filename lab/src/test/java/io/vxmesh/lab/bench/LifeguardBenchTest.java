package io.vxmesh.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.lab.testbed.Tools;
import io.vxmesh.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How bench lifeguard reads the agents' logs and handles its hog. */
class LifeguardBenchTest {
  private static final String LOG = String.join("\n",
      "16:01:02.003 INFO  MemberTracker: member status node=node1 status=alive reason= self=true",
      "16:01:02.103 INFO  MemberTracker: member status node=node2 status=alive reason=joined self=false",
      "16:03:00.000 INFO  MemberTracker: member status node=node2 status=suspect reason=probe timed out self=false",
      "16:03:01.000 WARN  MemberTracker: member status node=node2 status=failed reason=suspected for 1000 ms self=false",
      "16:03:02.000 INFO  MemberTracker: member status node=node2 status=alive reason=refuted self=false",
      "16:04:00.000 INFO  MemberTracker: member status node=node3 status=suspect reason=probe timed out self=false",
      "16:04:01.000 WARN  MemberTracker: member status node=node3 status=failed reason=gone self=false",
      "16:05:00.000 WARN  MemberTracker: member status node=node1 status=failed reason=odd self=true",
      "");

  @Test
  void aFailedStatusAboutARunningMemberIsAFalseFailureEverySuspectLineAnEpisode() {
    LifeguardBench.Counts c = LifeguardBench.countLog("node1", LOG, Set.of());
    assertEquals(2, c.falseFailures());
    assertEquals(2, c.suspectEpisodes());
    assertEquals(Set.of("node1 saw node2 failed (suspected for 1000 ms)", "node1 saw node3 failed (gone)"), c.failedPairs());
  }

  @Test
  void aMemberWhoseAgentExitedIsNotAFalseFailureAndLinesAboutItselfDoNotCount() {
    LifeguardBench.Counts c = LifeguardBench.countLog("node1", LOG, Set.of("node3"));
    assertEquals(1, c.falseFailures());
    assertEquals(2, c.suspectEpisodes());
    assertEquals(0, LifeguardBench.countLog("node1", "", Set.of()).falseFailures());
  }

  @Test
  void theHogIsSplitAtSpacesAndStressNgNamesItsPackage() {
    assertEquals(List.of("stress-ng", "--cpu", "2"), LifeguardBench.hogCommand("  stress-ng  --cpu 2 "));
    assertEquals(List.of(), LifeguardBench.hogCommand(" "));
    assertEquals(Tools.STRESS_NG, LifeguardBench.hogTool("stress-ng"));
    assertEquals("yes", LifeguardBench.hogTool("yes").debianPackage());
  }

  @Test
  void stopHogEndsTheHogAndTheWorkersItStarted() throws Exception {
    // A real process tree: a shell whose child ignores SIGTERM, so only the SIGKILL by PID ends it.
    Process p = new ProcessBuilder("sh", "-c", "sh -c 'trap \"\" TERM; while :; do sleep 1; done' & wait").start();
    ProcessHandle[] found = new ProcessHandle[1];
    Await.until(Duration.ofSeconds(10), "the shell's worker", () -> (found[0] = p.descendants().findFirst().orElse(null)) != null);
    ProcessHandle worker = found[0];
    LifeguardBench.stopHog(p);
    assertTrue(worker.onExit().get(10, TimeUnit.SECONDS) != null);
    assertFalse(worker.isAlive());
    assertFalse(p.isAlive());
  }
}
