package io.vxmesh.reconcile;

import static io.vxmesh.reconcile.ReconcilerTest.NODE1;
import static io.vxmesh.reconcile.ReconcilerTest.NODE2;
import static io.vxmesh.reconcile.ReconcilerTest.announcement;
import static io.vxmesh.reconcile.ReconcilerTest.member;
import static io.vxmesh.reconcile.ReconcilerTest.reconciler;
import static io.vxmesh.reconcile.ReconcilerTest.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.FakeDatapathKernel;
import io.vxmesh.gossip.Announced;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.testing.Await;
import io.vxmesh.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A drift repair is WARN and says what drifted (route, neighbour, FDB, nexthop, device); a
 * peer that changed its announcement is an ordinary INFO update.
 */
class DriftLogTest {
  static final String DEV = ReconcilerTest.SPEC.device();

  @Test
  void repairedObjectsAndARecreatedDeviceAreWarnAndNamed() throws Exception {
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    AtomicReference<MembershipView> current = new AtomicReference<>(view(true,
        member("node1", MemberStatus.ALIVE, NODE1), member("node2", MemberStatus.ALIVE, NODE2)));
    try (LogCapture rec = new LogCapture(Reconciler.class); LogCapture dp = new LogCapture(Datapath.class);
        Reconciler r = reconciler(current::get, kernel, Duration.ofSeconds(1))) {
      r.start();
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
      assertEquals(List.of(), rec.lines("WARN "), "first install is not drift");
      assertEquals(2, rec.lines("INFO peer installed ").size(), rec.lines().toString());

      synchronized (kernel) { // ip route del / ip neigh del behind vxmesh's back
        kernel.routes.remove(IpPrefix.parse("10.234.118.0/24"));
        kernel.neighbours.remove(IpAddresses.parseV4("179.17.1.41"));
        kernel.fdb.put(MacAddress.parse("7a:3a:fe:45:a3:77"), IpAddresses.parseV4("10.9.9.9"));
      }
      r.wake();
      Await.until(Duration.ofSeconds(5), "both repairs logged", () -> rec.lines("WARN ").size() >= 2);
      assertEquals(List.of(
          "WARN drift repaired device=" + DEV + " vni=10001 peer=node1 drifted=route",
          "WARN drift repaired device=" + DEV + " vni=10001 peer=node2 drifted=neighbour,fdb"), rec.lines("WARN "));

      kernel.deleteDevice();
      r.wake();
      Await.until(Duration.ofSeconds(5), "device repair logged", () -> rec.lines("WARN ").size() >= 4);
      assertEquals(List.of("WARN drift repaired device=" + DEV + " drifted=device"
          + " reason=\"VTEP deleted or replaced outside vxmesh; recreated, all peers rewritten\" ifindex=2 previous_ifindex=1"),
          dp.lines("WARN "));
      assertEquals("WARN drift repaired device=" + DEV + " vni=10001 peer=node1 drifted=neighbour,fdb,nexthop,route",
          rec.lines("WARN ").get(2));
    }
  }

  @Test
  void aChangedAnnouncementIsAnUpdateNotDrift() throws Exception {
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    Announced moved = announcement("node1", "10.211.55.16", "7a:3a:fe:45:a3:99", "179.17.1.31", "10.234.118.0/24", 10001);
    AtomicReference<MembershipView> current = new AtomicReference<>(view(true, member("node1", MemberStatus.ALIVE, NODE1)));
    try (LogCapture rec = new LogCapture(Reconciler.class); Reconciler r = reconciler(current::get, kernel, Duration.ofSeconds(1))) {
      r.start();
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
      current.set(view(true, member("node1", MemberStatus.ALIVE, moved)));
      r.wake();
      Await.until(Duration.ofSeconds(5), "update logged", () -> !rec.lines("INFO peer updated ").isEmpty());
      assertEquals(List.of(), rec.lines("WARN "));
    }
  }
}
