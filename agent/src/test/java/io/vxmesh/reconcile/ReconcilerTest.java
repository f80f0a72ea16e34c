package io.vxmesh.reconcile;

import io.vxmesh.testing.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.FakeDatapathKernel;
import io.vxmesh.datapath.Peer;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.gossip.Announced;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The reconcile loop's contract, with an in-memory datapath that records what it was asked. */
class ReconcilerTest {
  static final VtepSpec SPEC = new VtepSpec("vxlan-test", 10001, 4899, IpAddresses.parseV4("10.211.55.5"), "eth0",
      MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("179.17.1.21/24"), 1450);

  static Announced announcement(String name, String host, String mac, String vtep, String pods, int vni) {
    return new Announced(name, IpAddresses.parseV4(host), List.of(new Announced.Network(vni, 4899, MacAddress.parse(mac),
        new IpPrefix(IpAddresses.parseV4(vtep), 24), IpPrefix.parse(pods), 0)), 0, Announced.State.ALIVE, 0, "");
  }

  static MemberState member(String name, MemberStatus status, Announced a) {
    return new MemberState(name, HostPort.parse("10.211.55.99:7947"), status, a, "", false);
  }

  static final Announced NODE1 = announcement("node1", "10.211.55.6", "7a:3a:fe:45:a3:76", "179.17.1.31", "10.234.118.0/24", 10001);
  static final Announced NODE2 = announcement("node2", "10.211.55.7", "7a:3a:fe:45:a3:77", "179.17.1.41", "10.234.119.0/24", 10001);

  static void await(String what, BooleanSupplier cond) {
    Await.until(Duration.ofSeconds(5), what, cond);
  }

  @Test
  void onlyProgrammablePeersOfTheNetworkAreDesired() {
    MembershipView view = new MembershipView(1, true, List.of(
        new MemberState("master1", HostPort.parse("10.211.55.5:7947"), MemberStatus.ALIVE,
            announcement("master1", "10.211.55.5", "c2:6a:9b:e5:39:8d", "179.17.1.21", "10.234.111.0/24", 10001), "", true),
        member("node1", MemberStatus.ALIVE, NODE1),
        member("node2", MemberStatus.SUSPECT, NODE2),
        member("node3", MemberStatus.CONFLICT, announcement("node3", "10.211.55.8", "7a:3a:fe:45:a3:78", "179.17.1.51", "10.234.118.0/24", 10001)),
        member("node4", MemberStatus.UNTRUSTED, null),
        member("node5", MemberStatus.LEAVING, announcement("node5", "10.211.55.9", "7a:3a:fe:45:a3:79", "179.17.1.61", "10.234.120.0/24", 10001)),
        member("node6", MemberStatus.ALIVE, announcement("node6", "10.211.55.10", "7a:3a:fe:45:a3:7a", "179.17.2.61", "10.234.121.0/24", 20002))));

    List<Peer> peers = DesiredState.peersFor(view, 10001);

    assertEquals(List.of("node1", "node2"), peers.stream().map(Peer::name).toList());
    Peer node1 = peers.get(0);
    assertEquals("10.211.55.6", node1.hostIp().getHostAddress());
    assertEquals("7a:3a:fe:45:a3:76", node1.vtepMac().toString());
    assertEquals("179.17.1.31", node1.vtepIp().getHostAddress());
    assertEquals("10.234.118.0/24", node1.podCidr().toString());
    assertEquals(List.of("node6"), DesiredState.peersFor(view, 20002).stream().map(Peer::name).toList());
  }

  static MembershipView view(boolean complete, MemberState... members) {
    return new MembershipView(1, complete, List.of(members));
  }

  static Reconciler reconciler(java.util.function.Supplier<MembershipView> views, FakeDatapathKernel kernel, Duration retry) {
    return new Reconciler(views, List.of(SPEC), new Datapath(kernel), Duration.ofSeconds(30), retry, Clock.systemUTC());
  }

  static Set<String> routes(FakeDatapathKernel k) {
    synchronized (k) {
      return k.routes.keySet().stream().map(Object::toString).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void aRestartedAgentRemovesNothingUntilItsViewIsComplete() throws Exception {
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    try (Reconciler before = reconciler(() -> view(true, member("node1", MemberStatus.ALIVE, NODE1), member("node2", MemberStatus.ALIVE, NODE2)), kernel, Duration.ofSeconds(1))) {
      before.start();
      assertTrue(before.awaitConverged(Duration.ofSeconds(5)));
    }
    assertEquals(Set.of("10.234.118.0/24", "10.234.119.0/24"), routes(kernel));

    // "Restart": the new agent has only heard of node1 so far.
    AtomicReference<MembershipView> current = new AtomicReference<>(view(false, member("node1", MemberStatus.ALIVE, NODE1)));
    try (Reconciler after = reconciler(current::get, kernel, Duration.ofSeconds(1))) {
      after.start();
      await("a pass on the incomplete view", () -> after.status().passes() >= 1);
      assertFalse(after.awaitConverged(Duration.ofMillis(300)));
      assertEquals(Set.of("10.234.118.0/24", "10.234.119.0/24"), routes(kernel), "node2 must survive an incomplete view");

      current.set(view(true, member("node1", MemberStatus.ALIVE, NODE1)));
      after.wake();
      assertTrue(after.awaitConverged(Duration.ofSeconds(5)));
      assertEquals(Set.of("10.234.118.0/24"), routes(kernel), "with the complete view node2 is gone");
      assertEquals(new Reconciler.NetworkCounts(1, 1), after.status().networks().get(10001));
    }
  }

  @Test
  void aChangedAnnouncementIsReplacedAndConflictOrUntrustedNeverProgrammed() throws Exception {
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    Announced moved = announcement("node1", "10.211.55.16", "7a:3a:fe:45:a3:99", "179.17.1.31", "10.234.118.0/24", 10001);
    AtomicReference<MembershipView> current = new AtomicReference<>(view(true,
        member("node1", MemberStatus.ALIVE, NODE1),
        member("node3", MemberStatus.CONFLICT, announcement("node3", "10.211.55.8", "7a:3a:fe:45:a3:78", "179.17.1.51", "10.234.130.0/24", 10001)),
        member("node4", MemberStatus.UNTRUSTED, announcement("node4", "10.211.55.9", "7a:3a:fe:45:a3:79", "179.17.1.61", "10.234.131.0/24", 10001))));
    try (Reconciler r = reconciler(current::get, kernel, Duration.ofSeconds(1))) {
      r.start();
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
      assertEquals(Set.of("10.234.118.0/24"), routes(kernel));
      synchronized (kernel) {
        assertEquals(MacAddress.parse("7a:3a:fe:45:a3:76"), kernel.neighbours.get(IpAddresses.parseV4("179.17.1.31")));
      }

      current.set(view(true, member("node1", MemberStatus.ALIVE, moved)));
      r.wake();
      await("neighbour and FDB follow the new MAC and host", () -> {
        synchronized (kernel) {
          return MacAddress.parse("7a:3a:fe:45:a3:99").equals(kernel.neighbours.get(IpAddresses.parseV4("179.17.1.31")))
              && IpAddresses.parseV4("10.211.55.16").equals(kernel.fdb.get(MacAddress.parse("7a:3a:fe:45:a3:99")))
              && !kernel.fdb.containsKey(MacAddress.parse("7a:3a:fe:45:a3:76"));
        }
      });
    }
  }

  @Test
  void burstsOfWakeUpsCoalesceIntoFewPasses() throws Exception {
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    try (Reconciler r = reconciler(() -> view(true, member("node1", MemberStatus.ALIVE, NODE1)), kernel, Duration.ofSeconds(1))) {
      r.start();
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
      long before = r.status().passes();
      for (int i = 0; i < 1000; i++) {
        r.wake();
      }
      await("a pass after the burst", () -> r.status().passes() > before);
      long passes = r.status().passes() - before;
      assertTrue(passes < 100, "1000 wake-ups must coalesce, got " + passes + " passes");
    }
  }

  @Test
  void membershipChangesThatProgramNothingNewRunNoPass() throws Exception {
    // A joiner goes unproven -> alive, a peer suspect -> alive: only the change that programs
    // something may cost a pass (kernel dumps on every peer of the mesh).
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    AtomicReference<MembershipView> current = new AtomicReference<>(view(true, member("node1", MemberStatus.ALIVE, NODE1)));
    try (Reconciler r = reconciler(current::get, kernel, Duration.ofSeconds(1))) {
      r.start();
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
      long first = r.status().passes();
      r.membershipChanged(); // the first view the listener reports always counts
      await("the pass for the first reported view", () -> r.status().passes() > first);
      long before = r.status().passes();

      current.set(view(true, member("node1", MemberStatus.SUSPECT, NODE1)));
      r.membershipChanged();
      current.set(view(true, member("node1", MemberStatus.SUSPECT, NODE1), member("node2", MemberStatus.UNPROVEN, NODE2)));
      r.membershipChanged();
      current.set(view(true, member("node1", MemberStatus.ALIVE, NODE1), member("node2", MemberStatus.UNPROVEN, NODE2)));
      r.membershipChanged();
      current.set(view(true, member("node1", MemberStatus.ALIVE, NODE1), member("node2", MemberStatus.ALIVE, NODE2)));
      r.membershipChanged();
      await("node2 programmed", () -> routes(kernel).contains("10.234.119.0/24") && r.status().passes() > before);
      assertEquals(before + 1, r.status().passes(), "one pass, for node2 only");

      current.set(view(false, member("node1", MemberStatus.ALIVE, NODE1), member("node2", MemberStatus.ALIVE, NODE2)));
      r.membershipChanged();
      await("a pass when completeness changes", () -> r.status().passes() > before + 1);
    }
  }

  /**
   * A kernel notification right after a pass that wrote (mostly that pass's own echo) runs one
   * pass when ECHO_HOLD is up, not at once; a membership change right after a write is not held.
   */
  @Test
  void kernelNotificationsRightAfterAWriteWaitForTheEchoHold() throws Exception {
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    AtomicReference<MembershipView> current = new AtomicReference<>(view(true, member("node1", MemberStatus.ALIVE, NODE1)));
    Announced node3 = announcement("node3", "10.211.55.8", "7a:3a:fe:45:a3:78", "179.17.1.51", "10.234.120.0/24", 10001);
    List<long[]> passes = new java.util.concurrent.CopyOnWriteArrayList<>(); // {start, end} in System.nanoTime()
    try (Reconciler r = reconciler(current::get, kernel, Duration.ofSeconds(1))) {
      r.addPassListener(p -> {
        long end = System.nanoTime();
        passes.add(new long[] {end - p.duration().toNanos(), end});
      });
      r.start();
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)));
      r.membershipChanged(); // the first view the listener reports always counts
      await("the pass for the first reported view", () -> passes.size() >= 2);

      current.set(view(true, member("node1", MemberStatus.ALIVE, NODE1), member("node2", MemberStatus.ALIVE, NODE2)));
      r.membershipChanged();
      await("node2 programmed", () -> routes(kernel).contains("10.234.119.0/24"));
      await("its pass reported", () -> passes.size() >= 3);
      long wrote2 = passes.get(passes.size() - 1)[1];
      current.set(view(true, member("node1", MemberStatus.ALIVE, NODE1), member("node2", MemberStatus.ALIVE, NODE2),
          member("node3", MemberStatus.ALIVE, node3)));
      r.membershipChanged(); // right after a write: not held
      await("node3 programmed", () -> routes(kernel).contains("10.234.120.0/24"));
      await("its pass reported", () -> passes.size() >= 4);
      long[] membershipPass = passes.get(passes.size() - 1);
      assertTrue(membershipPass[0] - wrote2 < Reconciler.ECHO_HOLD.toNanos(), "the membership pass started "
          + (membershipPass[0] - wrote2) / 1_000_000 + " ms after the write");

      int before = passes.size();
      r.kernelChanged(); // the echo of node3's objects
      await("the held pass", () -> passes.size() > before);
      long heldFor = passes.get(before)[0] - membershipPass[1];
      assertTrue(heldFor >= Reconciler.ECHO_HOLD.toNanos() - 20_000_000L, "the pass after the echo started "
          + heldFor / 1_000_000 + " ms after the write, hold " + Reconciler.ECHO_HOLD.toMillis() + " ms");
    }
  }

  @Test
  void errorsAreReportedAndRetriedWithoutAWakeUp() throws Exception {
    FakeDatapathKernel kernel = new FakeDatapathKernel();
    kernel.failWhen = c -> true;
    try (Reconciler r = reconciler(() -> view(true, member("node1", MemberStatus.ALIVE, NODE1)), kernel, Duration.ofMillis(50))) {
      r.start();
      await("two failing passes", () -> r.status().passes() >= 2);
      assertFalse(r.status().lastResult().equals("ok"), r.status().lastResult());
      assertFalse(r.status().recentErrors().isEmpty());
      kernel.failWhen = c -> false;
      assertTrue(r.awaitConverged(Duration.ofSeconds(5)), "a retry must succeed once the kernel recovers");
      assertEquals(Set.of("10.234.118.0/24"), routes(kernel));
    }
  }
}
