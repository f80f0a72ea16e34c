package io.vxmesh.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.datapath.FakeDatapathKernel;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What the reconciler tells its pass listeners (the metrics' feed): objects by kind after the
 * pass, drift repaired by kind, errors; and {@link Reconciler#health()}'s reason.
 */
class ReconcilerMetricsTest {
  @Test
  void everyPassReportsObjectsByKindAndDriftRepairedByKind() {
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    MembershipView view = ReconcilerTest.view(true, ReconcilerTest.member("node1", MemberStatus.ALIVE, ReconcilerTest.NODE1),
        ReconcilerTest.member("node2", MemberStatus.ALIVE, ReconcilerTest.NODE2));
    List<Reconciler.Pass> passes = new CopyOnWriteArrayList<>();
    try (Reconciler r = ReconcilerTest.reconciler(() -> view, kernel, Duration.ofMillis(50))) {
      r.addPassListener(passes::add);
      r.start();
      ReconcilerTest.await("a first pass", () -> !passes.isEmpty());
      Reconciler.Pass first = passes.get(0);
      assertEquals(Map.of("neighbour", 2, "fdb", 2, "nexthop", 2, "route", 2), first.objects());
      assertEquals(Map.of(), first.driftRepaired(), "new peers are not drift");
      assertEquals(0, first.errors());
      assertTrue(first.viewComplete());

      // A route deleted behind vxmesh's back: the next pass puts it back and says so.
      synchronized (kernel) {
        kernel.routes.remove(ReconcilerTest.NODE1.networks().get(0).podCidr());
      }
      int seen = passes.size();
      r.wake();
      ReconcilerTest.await("a pass repairing the route", () -> passes.stream().skip(seen).anyMatch(p -> !p.driftRepaired().isEmpty()));
      Reconciler.Pass repair = passes.stream().skip(seen).filter(p -> !p.driftRepaired().isEmpty()).findFirst().orElseThrow();
      assertEquals(Map.of("route", 1), repair.driftRepaired());
      assertEquals(Map.of("neighbour", 2, "fdb", 2, "nexthop", 2, "route", 2), repair.objects());

      // A failing peer shows as an error; its objects are not counted as installed.
      kernel.failWhen = c -> c.peer().equals("node2");
      synchronized (kernel) {
        kernel.routes.remove(ReconcilerTest.NODE2.networks().get(0).podCidr());
      }
      int before = passes.size();
      r.wake();
      ReconcilerTest.await("a pass with errors", () -> passes.stream().skip(before).anyMatch(p -> p.errors() > 0));
      Reconciler.Pass failed = passes.stream().skip(before).filter(p -> p.errors() > 0).findFirst().orElseThrow();
      assertEquals(1, failed.objects().get("route"), failed.toString());
    }
  }

  @Test
  void healthSaysWhy() {
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    Reconciler r = ReconcilerTest.reconciler(() -> ReconcilerTest.view(true), kernel, Duration.ofMillis(50));
    assertEquals(new Reconciler.Health(false, "reconcile loop not running"), r.health());
    r.start();
    ReconcilerTest.await("a pass", () -> r.status().passes() > 0);
    assertTrue(r.health().ok());
    assertTrue(r.health().reason().startsWith("last reconcile pass started "), r.health().reason());
    r.close();
    assertFalse(r.health().ok());
  }
}
