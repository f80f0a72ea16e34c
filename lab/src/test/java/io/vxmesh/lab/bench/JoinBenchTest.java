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
}
