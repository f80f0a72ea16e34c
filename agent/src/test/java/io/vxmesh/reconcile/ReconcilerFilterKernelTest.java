package io.vxmesh.reconcile;

import static io.vxmesh.reconcile.ReconcilerTest.NODE1;
import static io.vxmesh.reconcile.ReconcilerTest.NODE2;
import static io.vxmesh.reconcile.ReconcilerTest.member;
import static io.vxmesh.reconcile.ReconcilerTest.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.datapath.VxlanFilter;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.KernelTest;
import io.vxmesh.testing.LogCapture;
import io.vxmesh.testing.Seed;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconcile loop keeps the VXLAN filter's member set to the programmed peers' host
 * addresses, and puts back what someone deleted (table, rule, element) well before the 30 s
 * resync, woken by the nftables monitor, with a WARN naming what drifted.
 */
@KernelTest
class ReconcilerFilterKernelTest {
  TestNetns ns;
  Datapath datapath;
  VxlanFilter filter;
  VtepSpec spec;
  Reconciler reconciler;
  AutoCloseable watch;
  AutoCloseable filterWatch;

  @BeforeEach
  void setUp() {
    TestNetns.assumeRoot();
    TestNetns.assumeNft();
    ns = TestNetns.create("vxrf");
    ns.ip("link", "add", "ul0", "type", "veth", "peer", "name", "ul1");
    ns.ip("link", "set", "ul0", "up");
    ns.ip("addr", "add", "10.211.55.5/24", "dev", "ul0");
    datapath = Datapath.openIn(ns.name());
    filter = VxlanFilter.openIn(ns.name());
    spec = Seed.master1Vtep(1450);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {filterWatch, watch, reconciler, filter, datapath, ns}) {
      if (c != null) {
        c.close();
      }
    }
  }

  String table() {
    return ns.nft("-a", "list", "table", "ip", "vxmesh");
  }

  boolean has(String text) {
    try {
      return table().contains(text);
    } catch (AssertionError missing) {
      return false; // table deleted: not yet back
    }
  }

  @Test
  void membersFollowTheViewAndDriftIsRepairedByNotification() throws Exception {
    AtomicReference<MembershipView> view = new AtomicReference<>(view(true, member("node1", MemberStatus.ALIVE, NODE1)));
    reconciler = new Reconciler(view::get, List.of(spec), datapath, filter, Duration.ofSeconds(30), Duration.ofSeconds(1),
        Clock.systemUTC());
    datapath.ensureVtep(spec);
    watch = datapath.watch(spec, reconciler::wake);
    filterWatch = filter.watch(reconciler::wake);
    try (LogCapture log = new LogCapture(Reconciler.class)) {
      reconciler.start();
      assertTrue(reconciler.awaitConverged(Duration.ofSeconds(5)));
      assertTrue(has("elements = { 10.211.55.6 }"), table());
      assertTrue(has("udp dport 4899 ip saddr != @members counter packets 0 bytes 0 drop"), table());

      view.set(view(true, member("node1", MemberStatus.ALIVE, NODE1), member("node2", MemberStatus.ALIVE, NODE2)));
      reconciler.wake();
      TestNetns.await(2000, () -> has("elements = { 10.211.55.6, 10.211.55.7 }"), "node2's host address added");
      view.set(view(true, member("node2", MemberStatus.ALIVE, NODE2)));
      reconciler.wake();
      TestNetns.await(2000, () -> has("elements = { 10.211.55.7 }"), "node1's host address removed");
      assertTrue(log.lines("WARN").isEmpty(), "membership changes are not drift: " + log.lines("WARN"));

      ns.nft("delete", "element", "ip", "vxmesh", "members", "{ 10.211.55.7 }");
      TestNetns.await(1000, () -> has("elements = { 10.211.55.7 }"), "a deleted element is back within 1 s");
      String handle = table().lines().filter(l -> l.contains("udp dport 4899")).findFirst().orElseThrow().replaceAll(".*handle ", "");
      ns.nft("delete", "rule", "ip", "vxmesh", "input", "handle", handle.trim());
      TestNetns.await(1000, () -> has("udp dport 4899 ip saddr != @members counter"), "a deleted rule is back within 1 s");
      ns.nft("delete", "table", "ip", "vxmesh");
      TestNetns.await(1000, () -> has("elements = { 10.211.55.7 }") && has("udp dport 4899"), "a deleted table is back within 1 s");

      TestNetns.await(2000, () -> log.lines("WARN drift repaired table=ip vxmesh").size() >= 3, "three drift WARNs");
      List<String> warns = log.lines("WARN drift repaired table=ip vxmesh");
      assertEquals("WARN drift repaired table=ip vxmesh drifted=element:10.211.55.7", warns.get(0));
      assertEquals("WARN drift repaired table=ip vxmesh drifted=rule", warns.get(1));
      assertEquals("WARN drift repaired table=ip vxmesh drifted=table", warns.get(2));
    }
  }
}
