package io.vxmesh.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** route_after_gossip is taken per join, then summarised; a join without either time is not measured. */
class JoinBenchTest {
  @Test
  void afterGossipIsPerJoinAndItsPercentilesAreNotADifferenceOfMedians() {
    double[] route = {1100, 1500, 3000};
    double[] gossip = {1000, 1400, 1050};
    Samples after = new Samples();
    for (int i = 0; i < route.length; i++) {
      after.add(JoinBench.afterGossipMs(route[i], gossip[i]));
    }
    assertEquals(List.of(100.0, 100.0, 1950.0), after.measured());
    assertEquals(100.0, after.percentile(50));
    assertEquals(1950.0, after.percentile(99));
    // The earlier method: median(route) - median(gossip) = 1500 - 1050, no join's value.
    assertEquals(450.0, BenchSupport.percentile(List.of(1100.0, 1500.0, 3000.0), 50) - BenchSupport.percentile(List.of(1000.0, 1400.0, 1050.0), 50));
  }

  @Test
  void aJoinThatTimedOutOrLackedTheGossipLineIsNotMeasured() {
    Samples after = new Samples();
    after.add(JoinBench.afterGossipMs(-1, 1000));
    after.add(JoinBench.afterGossipMs(1500, -1));
    after.add(JoinBench.afterGossipMs(1500, 1200));
    assertEquals(List.of(300.0), after.measured());
    assertEquals(2, after.unmeasured());
  }

  @Test
  void aP99GoalWithAnUnmeasuredJoinIsMissed() {
    Samples route = new Samples().add(400).add(500).add(-1);
    assertFalse(route.within(99, 1000));
    assertTrue(new Samples().add(400).add(500).within(99, 1000));
  }

  @Test
  void peerStepsAreReadFromOnePeersLogRelativeToTheJoinersGossipStart() {
    java.time.Instant wall0 = java.time.LocalDate.now().atTime(10, 0, 0).atZone(java.time.ZoneId.systemDefault()).toInstant();
    String log = String.join("\n",
        "10:00:01.000 INFO  MemberTracker: member status node=node19 status=unproven reason=\"host address 10.0.0.9 not proven yet\" self=false seen_by=n1",
        "10:00:01.020 INFO  MemberTracker: member status node=node190 status=alive reason=\"\" self=false seen_by=n1",
        "10:00:01.150 INFO  MemberTracker: member status node=node19 status=alive reason=\"\" self=false seen_by=n1",
        "10:00:01.200 INFO  Reconciler: peer installed device=vxlan0 vni=1 peer=node190",
        "10:00:01.230 INFO  Reconciler: peer installed device=vxlan0 vni=1 peer=node19",
        "    at some.stack.Frame(Frame.java:1)",
        "10:00:01.400 INFO  MemberTracker: member status node=node19 status=suspect reason=\"\" self=false seen_by=n1");
    JoinBench.PeerSteps p = JoinBench.PeerSteps.of(log, "node19", wall0, 1010); // gossip started at 10:00:01.010
    assertEquals(-10, p.learned(), 0.001, "before the joiner's own line: negative, not lost");
    assertEquals(140, p.proven(), 0.001, "node190's lines are another member's");
    assertEquals(220, p.installed(), 0.001);
    assertEquals("unproven@-10,alive@140,suspect@390", p.statuses());
    JoinBench.PeerSteps none = JoinBench.PeerSteps.of("", "node19", wall0, 1010);
    assertTrue(Double.isNaN(none.installed()));
    assertEquals("n/a", JoinBench.signedMs(none.installed()));
  }
}
