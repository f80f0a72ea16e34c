package io.vxmesh.datapath;

import static io.vxmesh.net.IpAddresses.parseV4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.testing.Seed;
import io.vxmesh.netlink.NetlinkException;
import io.vxmesh.netlink.TestNetns;
import io.vxmesh.testing.KernelTest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The datapath on a real kernel in a fresh namespace, checked with iproute2. */
@KernelTest
class DatapathKernelTest {
  static final Peer NODE1 = DatapathDiffTest.NODE1;
  static final Peer NODE2 = DatapathDiffTest.NODE2;
  TestNetns ns;
  Datapath dp;
  VtepSpec spec;

  @BeforeEach
  void setUp() {
    TestNetns.assumeRoot();
    ns = TestNetns.create("vxdp");
    ns.ip("link", "add", "ul0", "type", "veth", "peer", "name", "ul1");
    ns.ip("link", "set", "ul0", "mtu", "1400", "up");
    ns.ip("addr", "add", "10.211.55.5/24", "dev", "ul0");
    dp = Datapath.openIn(ns.name());
    spec = Seed.master1Vtep(dp.defaultMtu("ul0"));
  }

  @AfterEach
  void tearDown() {
    if (dp != null) {
      dp.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void ensureCreatesTheSeedDeviceAndIsIdempotent() {
    assertEquals(1350, spec.mtu());
    int idx = dp.ensureVtep(spec);
    String link = ns.ip("-d", "link", "show", "vxlan-test");
    assertTrue(link.contains("mtu 1350") && link.contains(",UP,") && link.contains("link/ether c2:6a:9b:e5:39:8d"), link);
    assertTrue(link.contains("vxlan id 10001 local 10.211.55.5 dev ul0") && link.contains("dstport 4899 nolearning"), link);
    assertTrue(ns.ip("addr", "show", "dev", "vxlan-test").contains("inet 179.17.1.21/24"));
    assertEquals(idx, dp.ensureVtep(spec));
    ns.ip("link", "set", "vxlan-test", "down");
    ns.ip("link", "set", "vxlan-test", "address", "02:00:00:00:00:01");
    assertEquals(idx, dp.ensureVtep(spec), "repaired in place, not recreated");
    link = ns.ip("link", "show", "vxlan-test");
    assertTrue(link.contains(",UP,") && link.contains("c2:6a:9b:e5:39:8d"), link);
  }

  @Test
  void ensureRecreatesOnChangedVniAndReplacesTheAddress() {
    int idx = dp.ensureVtep(spec);
    VtepSpec changed = new VtepSpec(spec.device(), 10002, spec.port(), spec.local(), spec.underlay(), spec.mac(),
        IpPrefix.parse("179.17.2.21/24"), spec.mtu());
    int idx2 = dp.ensureVtep(changed);
    assertNotEquals(idx, idx2);
    assertTrue(ns.ip("-d", "link", "show", "vxlan-test").contains("vxlan id 10002"));
    String addr = ns.ip("addr", "show", "dev", "vxlan-test");
    assertTrue(addr.contains("179.17.2.21/24") && !addr.contains("179.17.1.21"), addr);
  }

  @Test
  void convergeWritesWhatIproute2Shows() {
    ConvergeResult r = dp.converge(spec, List.of(NODE1, NODE2), true);
    assertTrue(r.ok(), r.errors().toString());
    assertEquals(8, r.added());
    assertTrue(ns.ip("neigh", "show", "dev", "vxlan-test").contains("179.17.1.31 lladdr 7a:3a:fe:45:a3:76 PERMANENT"));
    assertTrue(ns.bridge("fdb", "show", "dev", "vxlan-test").contains("7a:3a:fe:45:a3:76 dst 10.211.55.6 self permanent"));
    assertTrue(ns.ip("nexthop").contains("id 3004236063 via 179.17.1.31 dev vxlan-test scope link proto 118 onlink"));
    assertTrue(ns.ip("route").contains("10.234.118.0/24 nhid 3004236063 via 179.17.1.31 dev vxlan-test proto 118 onlink"));
    assertTrue(dp.converge(spec, List.of(NODE1, NODE2), true).noop());
    // drift: an entry deleted by hand is put back, a changed one is replaced
    ns.ip("route", "del", "10.234.118.0/24");
    ns.bridge("fdb", "replace", "7a:3a:fe:45:a3:77", "dst", "10.9.9.9", "dev", "vxlan-test", "self", "permanent");
    ConvergeResult repair = dp.converge(spec, List.of(NODE1, NODE2), true);
    assertEquals(1, repair.added());
    assertEquals(1, repair.changed());
    assertTrue(ns.bridge("fdb", "show", "dev", "vxlan-test").contains("7a:3a:fe:45:a3:77 dst 10.211.55.7 self permanent"));
    assertTrue(dp.installed(spec).status(NODE1).complete());
    // allowRemove=false keeps a departed peer; true removes it
    assertEquals(0, dp.converge(spec, List.of(NODE1), false).removed());
    assertEquals(4, dp.converge(spec, List.of(NODE1), true).removed());
    assertFalse(ns.ip("route").contains("10.234.119.0/24"));
    assertFalse(ns.ip("neigh", "show", "dev", "vxlan-test").contains("179.17.1.32"));
  }

  @Test
  void installAndRemoveOnePeer() {
    dp.ensureVtep(spec);
    assertEquals(List.of(), dp.installPeer(spec, NODE1));
    assertTrue(ns.ip("route").contains("10.234.118.0/24 nhid 3004236063 via 179.17.1.31 dev vxlan-test proto 118 onlink"));
    assertTrue(dp.installed(spec).status(NODE1).complete());
    assertEquals(List.of(), dp.removePeer(spec, NODE1));
    assertEquals(List.of(), dp.removePeer(spec, NODE1)); // already gone: still success
    assertEquals(0, dp.installed(spec).state().size());
    assertFalse(ns.bridge("fdb", "show", "dev", "vxlan-test").contains("7a:3a:fe:45:a3:76"));
  }

  @Test
  void foreignRoutesAndNexthopsOnTheDeviceSurviveEverything() {
    dp.ensureVtep(spec);
    ns.ip("route", "add", "10.99.0.0/16", "via", "179.17.1.99", "dev", "vxlan-test", "onlink", "proto", "static");
    ns.ip("nexthop", "add", "id", "99", "via", "179.17.1.98", "dev", "vxlan-test", "onlink");
    ns.ip("route", "add", "10.98.0.0/16", "nhid", "99");
    Peer clash = DatapathDiffTest.peer("node9", "10.211.55.10", "7a:3a:fe:45:a3:7a", "179.17.1.40", "10.99.0.0/16");
    // a foreign nexthop whose id equals the one vxmesh would derive for 179.17.1.41
    String takenId = Integer.toUnsignedString(DatapathDiff.nexthopId(parseV4("179.17.1.41")));
    ns.ip("nexthop", "add", "id", takenId, "via", "179.17.1.97", "dev", "vxlan-test", "onlink");
    Peer idClash = DatapathDiffTest.peer("node8", "10.211.55.11", "7a:3a:fe:45:a3:7b", "179.17.1.41", "10.97.0.0/16");
    ConvergeResult r = dp.converge(spec, List.of(NODE1, clash, idClash), true);
    assertEquals(2, r.errors().size(), r.errors().toString());
    assertTrue(r.errors().get(0).reason().contains("belongs to someone else"), r.errors().toString());
    assertTrue(r.errors().get(1).reason().contains("another protocol"), r.errors().toString());
    assertEquals(1, r.installed());
    assertTrue(ns.ip("nexthop").contains("id " + takenId + " via 179.17.1.97 dev vxlan-test scope link onlink"));
    dp.converge(spec, List.of(), true);
    dp.removeAllPeers(spec);
    String routes = ns.ip("route");
    assertTrue(routes.contains("10.99.0.0/16 via 179.17.1.99 dev vxlan-test proto static onlink"), routes);
    assertTrue(routes.contains("10.98.0.0/16 nhid 99 via 179.17.1.98 dev vxlan-test"), routes);
    assertTrue(routes.contains("179.17.1.0/24 dev vxlan-test proto kernel"), routes);
    assertFalse(routes.contains("proto 118"), routes);
    assertTrue(ns.ip("nexthop").contains("id 99 via 179.17.1.98"));
    assertTrue(ns.ip("addr", "show", "dev", "vxlan-test").contains("179.17.1.21/24"));
  }

  @Test
  void badInputGetsClearErrors() {
    VtepSpec noUnderlay = new VtepSpec("vxlan-test", 10001, 4899, parseV4("10.211.55.5"), "nosuch0", spec.mac(), spec.address(), 0);
    NetlinkException e = assertThrows(NetlinkException.class, () -> dp.ensureVtep(noUnderlay));
    assertEquals("RTM_GETLINK nosuch0: ENODEV (no such device)", e.getMessage());
    IllegalArgumentException mtu = assertThrows(IllegalArgumentException.class, () -> dp.defaultMtu("nosuch0"));
    assertTrue(mtu.getMessage().contains("nosuch0"));
    VtepSpec multicastMac = new VtepSpec("vxlan-test", 10001, 4899, parseV4("10.211.55.5"), "ul0",
        MacAddress.parse("01:00:5e:00:00:01"), spec.address(), 0);
    NetlinkException mac = assertThrows(NetlinkException.class, () -> dp.ensureVtep(multicastMac));
    assertTrue(mac.getMessage().contains("EADDRNOTAVAIL"), mac.getMessage());
  }

  @Test
  void watchWakesOnChangesToTheDeviceOnly() throws Exception {
    dp.converge(spec, List.of(NODE1), true);
    AtomicInteger wakes = new AtomicInteger();
    try (AutoCloseable w = dp.watch(spec, wakes::incrementAndGet)) {
      ns.ip("link", "add", "other0", "type", "veth", "peer", "name", "other1");
      ns.ip("link", "set", "other0", "up");
      ns.ip("route", "add", "10.50.0.0/16", "dev", "other0");
      Thread.sleep(300); // negative check: give unrelated notifications time to (not) arrive
      assertEquals(0, wakes.get(), "unrelated device changes do not wake");
      ns.ip("route", "del", "10.234.118.0/24");
      TestNetns.await(3000, () -> wakes.get() > 0, "wake on a deleted vxmesh route");
    }
  }
}
