package io.vxmesh.reconcile;

import static io.vxmesh.reconcile.ReconcilerTest.NODE1;
import static io.vxmesh.reconcile.ReconcilerTest.NODE2;
import static io.vxmesh.reconcile.ReconcilerTest.member;
import static io.vxmesh.reconcile.ReconcilerTest.view;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.testing.Seed;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.KernelTest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconcile loop on the real kernel in a fresh namespace, woken by the real rtnetlink
 * monitor: drift is repaired by notification (well before the 30 s resync), a foreign route on
 * the VTEP device is never touched, and a restarted loop with an incomplete view removes nothing.
 */
@KernelTest
class ReconcilerKernelTest {
  static final String ROUTE1 = "10.234.118.0/24 nhid 3004236063 via 179.17.1.31 dev vxlan-test proto 118 onlink";
  static final String ROUTE2 = "10.234.119.0/24";
  static final String FOREIGN = "10.99.0.0/16 via 179.17.1.99 dev vxlan-test proto static onlink";

  TestNetns ns;
  Datapath datapath;
  VtepSpec spec;
  Reconciler reconciler;
  AutoCloseable watch;

  @BeforeEach
  void setUp() {
    TestNetns.assumeRoot();
    ns = TestNetns.create("vxrc");
    ns.ip("link", "add", "ul0", "type", "veth", "peer", "name", "ul1");
    ns.ip("link", "set", "ul0", "up");
    ns.ip("addr", "add", "10.211.55.5/24", "dev", "ul0");
    datapath = Datapath.openIn(ns.name());
    spec = Seed.master1Vtep(1450);
  }

  Reconciler start(AtomicReference<MembershipView> view) throws Exception {
    closeLoop();
    reconciler = new Reconciler(view::get, List.of(spec), datapath, Duration.ofSeconds(30), Duration.ofSeconds(1), Clock.systemUTC());
    datapath.ensureVtep(spec);
    watch = datapath.watch(spec, reconciler::wake);
    reconciler.start();
    return reconciler;
  }

  void closeLoop() throws Exception {
    if (watch != null) {
      watch.close();
      watch = null;
    }
    if (reconciler != null) {
      reconciler.close();
      reconciler = null;
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    closeLoop();
    if (datapath != null) {
      datapath.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  String routes() {
    return ns.ip("route");
  }

  @Test
  void driftIsRepairedByNotificationAndForeignRoutesSurvive() throws Exception {
    AtomicReference<MembershipView> view = new AtomicReference<>(view(true, member("node1", MemberStatus.ALIVE, NODE1)));
    Reconciler r = start(view);
    assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
    assertTrue(routes().contains(ROUTE1), routes());
    ns.ip("route", "add", "10.99.0.0/16", "via", "179.17.1.99", "dev", "vxlan-test", "onlink", "proto", "static");

    ns.ip("route", "del", "10.234.118.0/24");
    TestNetns.await(1000, () -> routes().contains(ROUTE1), "route deleted by hand is back within 1 s");
    ns.ip("neigh", "del", "179.17.1.31", "dev", "vxlan-test");
    TestNetns.await(1000, () -> ns.ip("neigh", "show", "dev", "vxlan-test").contains("179.17.1.31 lladdr 7a:3a:fe:45:a3:76 PERMANENT"),
        "neighbour deleted by hand is back within 1 s");
    ns.bridge("fdb", "del", "7a:3a:fe:45:a3:76", "dev", "vxlan-test", "self");
    TestNetns.await(1000, () -> ns.bridge("fdb", "show", "dev", "vxlan-test").contains("7a:3a:fe:45:a3:76 dst 10.211.55.6 self permanent"),
        "FDB entry deleted by hand is back within 1 s");

    view.set(view(true));
    r.wake();
    TestNetns.await(2000, () -> !routes().contains("10.234.118.0/24"), "a departed peer's route is removed");
    assertTrue(routes().contains(FOREIGN), "the foreign route on the VTEP device must survive: " + routes());
  }

  @Test
  void aRestartedLoopWithAnIncompleteViewRemovesNothing() throws Exception {
    AtomicReference<MembershipView> view = new AtomicReference<>(view(true,
        member("node1", MemberStatus.ALIVE, NODE1), member("node2", MemberStatus.ALIVE, NODE2)));
    assertTrue(start(view).awaitConverged(Duration.ofSeconds(5)));
    assertTrue(routes().contains(ROUTE1) && routes().contains(ROUTE2), routes());

    // A new agent process: only node1 heard of so far.
    view.set(view(false, member("node1", MemberStatus.ALIVE, NODE1)));
    Reconciler restarted = start(view);
    TestNetns.await(3000, () -> restarted.status().passes() >= 2, "passes on the incomplete view");
    assertFalse(restarted.awaitConverged(Duration.ofMillis(200)));
    assertTrue(routes().contains(ROUTE2), "node2's route must survive until the view is complete: " + routes());

    view.set(view(true, member("node1", MemberStatus.ALIVE, NODE1)));
    restarted.wake();
    assertTrue(restarted.awaitConverged(Duration.ofSeconds(5)));
    TestNetns.await(1000, () -> !routes().contains(ROUTE2), "with the complete view node2 is removed");
    assertTrue(routes().contains(ROUTE1));
  }
}
