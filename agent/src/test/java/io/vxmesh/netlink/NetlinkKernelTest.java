package io.vxmesh.netlink;

import static io.vxmesh.net.IpAddresses.parseV4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.nl.Errno;
import io.vxmesh.netlink.nl.Rtnl;
import io.vxmesh.testing.KernelTest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every netlink operation against a real kernel, in a fresh namespace, checked with iproute2. */
@KernelTest
class NetlinkKernelTest {
  static final MacAddress SEED_MAC = MacAddress.parse("c2:6a:9b:e5:39:8d");
  static final MacAddress PEER_MAC = MacAddress.parse("7a:3a:fe:45:a3:76");
  TestNetns ns;
  Netlink nl;
  Link vx;

  @BeforeEach
  void setUp() {
    TestNetns.assumeRoot();
    ns = TestNetns.create("vxnl");
    ns.ip("link", "add", "ul0", "type", "veth", "peer", "name", "ul1");
    ns.ip("addr", "add", "10.211.55.5/24", "dev", "ul0");
    ns.ip("link", "set", "ul0", "up");
    nl = Netlink.openIn(ns.name());
    int ul = nl.link("ul0").index();
    vx = nl.linkAdd("vxlan-test", new VxlanInfo(10001, 4899, parseV4("10.211.55.5"), ul, false), SEED_MAC, 0);
    nl.addrReplace(vx.index(), IpPrefix.parse("179.17.1.21/24"));
    nl.linkSetUp(vx.index());
  }

  @AfterEach
  void tearDown() {
    if (nl != null) {
      nl.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void createsTheSeedVxlanDeviceExactly() {
    String link = ns.ip("-d", "link", "show", "vxlan-test");
    assertTrue(link.contains("vxlan id 10001 local 10.211.55.5 dev ul0"), link);
    assertTrue(link.contains("dstport 4899 nolearning"), link);
    assertTrue(link.contains("link/ether c2:6a:9b:e5:39:8d"), link);
    assertTrue(link.contains(",UP,"), link);
    assertTrue(ns.ip("addr", "show", "dev", "vxlan-test").contains("inet 179.17.1.21/24"));
    Link got = nl.link("vxlan-test");
    assertEquals(new VxlanInfo(10001, 4899, parseV4("10.211.55.5"), nl.link("ul0").index(), false), got.vxlan());
    assertEquals(SEED_MAC, got.mac());
    assertTrue(got.up());
    assertEquals(got, nl.linkByIndex(got.index()).orElseThrow());
    assertTrue(nl.linkList().stream().anyMatch(l -> l.name().equals("vxlan-test")));
    assertEquals(List.of(new Address(got.index(), IpPrefix.parse("179.17.1.21/24"))), nl.addrList(got.index()));
  }

  @Test
  void setsMacMtuAndDeletesLinks() {
    nl.linkSetMac(vx.index(), PEER_MAC);
    nl.linkSetMtu(vx.index(), 1400);
    String link = ns.ip("link", "show", "vxlan-test");
    assertTrue(link.contains("mtu 1400") && link.contains("link/ether 7a:3a:fe:45:a3:76"), link);
    nl.linkSetDown(vx.index());
    assertFalse(nl.link("vxlan-test").up());
    nl.linkDel(vx.index());
    assertTrue(nl.linkByName("vxlan-test").isEmpty());
    nl.linkDel(vx.index()); // already gone: success
    assertFalse(ns.ip("link").contains("vxlan-test"));
  }

  @Test
  void neighbourRoundTrip() {
    nl.neighReplace(vx.index(), parseV4("179.17.1.31"), PEER_MAC);
    assertTrue(ns.ip("neigh", "show", "dev", "vxlan-test").contains("179.17.1.31 lladdr 7a:3a:fe:45:a3:76 PERMANENT"));
    assertEquals(List.of(new Neigh(vx.index(), parseV4("179.17.1.31"), PEER_MAC, Rtnl.NUD_PERMANENT)), nl.neighList(vx.index()));
    nl.neighReplace(vx.index(), parseV4("179.17.1.31"), SEED_MAC); // replace, no EEXIST
    assertEquals(SEED_MAC, nl.neighList(vx.index()).get(0).mac());
    nl.neighDel(vx.index(), parseV4("179.17.1.31"));
    nl.neighDel(vx.index(), parseV4("179.17.1.31"));
    assertEquals(List.of(), nl.neighList(vx.index()));
    assertFalse(ns.ip("neigh", "show", "dev", "vxlan-test").contains("179.17.1.31"));
  }

  @Test
  void fdbRoundTripWithReplaceSemantics() {
    nl.fdbReplace(vx.index(), PEER_MAC, parseV4("10.211.55.6"));
    assertTrue(ns.bridge("fdb", "show", "dev", "vxlan-test").contains("7a:3a:fe:45:a3:76 dst 10.211.55.6 self permanent"));
    nl.fdbReplace(vx.index(), PEER_MAC, parseV4("10.211.55.7"));
    String fdb = ns.bridge("fdb", "show", "dev", "vxlan-test");
    assertTrue(fdb.contains("7a:3a:fe:45:a3:76 dst 10.211.55.7 self permanent") && !fdb.contains("10.211.55.6"), fdb);
    Fdb f = nl.fdbList(vx.index()).stream().filter(x -> x.mac().equals(PEER_MAC)).findFirst().orElseThrow();
    assertEquals(parseV4("10.211.55.7"), f.dst());
    assertTrue(f.self() && f.permanent());
    nl.fdbAppend(vx.index(), MacAddress.parse("00:00:00:00:00:00"), parseV4("10.211.55.8"));
    assertTrue(ns.bridge("fdb", "show", "dev", "vxlan-test").contains("00:00:00:00:00:00 dst 10.211.55.8 self permanent"));
    nl.fdbDel(vx.index(), PEER_MAC, null);
    nl.fdbDel(vx.index(), PEER_MAC, null);
    assertFalse(ns.bridge("fdb", "show", "dev", "vxlan-test").contains("7a:3a:fe:45:a3:76"));
  }

  @Test
  void nexthopAndRouteRoundTrip() {
    nl.nexthopReplace(new Nexthop(7, parseV4("179.17.1.31"), vx.index(), true, 118));
    assertTrue(ns.ip("nexthop").contains("id 7 via 179.17.1.31 dev vxlan-test scope link proto 118 onlink"));
    assertEquals(List.of(new Nexthop(7, parseV4("179.17.1.31"), vx.index(), true, 118)), nl.nexthopList());
    nl.routeReplace(Route.viaNexthop(IpPrefix.parse("10.234.118.0/24"), 7, 118));
    assertTrue(ns.ip("route").contains("10.234.118.0/24 nhid 7 via 179.17.1.31 dev vxlan-test proto 118 onlink"));
    Route r = nl.routeList().stream().filter(x -> x.protocol() == 118).findFirst().orElseThrow();
    assertEquals(new Route(IpPrefix.parse("10.234.118.0/24"), parseV4("179.17.1.31"), vx.index(), 7, 118, 254, true), r);
    nl.routeReplace(Route.via(IpPrefix.parse("10.234.119.0/24"), parseV4("179.17.1.32"), vx.index(), true, 118));
    assertTrue(ns.ip("route").contains("10.234.119.0/24 via 179.17.1.32 dev vxlan-test proto 118 onlink"));
    nl.routeDel(IpPrefix.parse("10.234.118.0/24"), 118, 254);
    nl.routeDel(IpPrefix.parse("10.234.118.0/24"), 118, 254);
    nl.nexthopDel(7);
    nl.nexthopDel(7);
    assertEquals(List.of(), nl.nexthopList());
    assertFalse(ns.ip("route").contains("10.234.118.0/24"));
  }

  @Test
  void routeDeleteNeverHitsAnotherProtocolsRoute() {
    ns.ip("route", "add", "10.99.0.0/16", "via", "179.17.1.99", "dev", "vxlan-test", "onlink", "proto", "static");
    nl.routeDel(IpPrefix.parse("10.99.0.0/16"), 118, 254); // not ours: "gone" as far as proto 118 goes
    assertTrue(ns.ip("route").contains("10.99.0.0/16 via 179.17.1.99 dev vxlan-test proto static onlink"));
  }

  @Test
  void errorsNameOperationErrnoAndKernelMessage() {
    NetlinkException unknown = assertThrows(NetlinkException.class, () -> nl.link("nosuch0"));
    assertEquals("RTM_GETLINK nosuch0: ENODEV (no such device)", unknown.getMessage());
    NetlinkException onlink = assertThrows(NetlinkException.class,
        () -> nl.routeReplace(Route.via(IpPrefix.parse("10.9.0.0/16"), parseV4("1.2.3.4"), 0, true, 118)));
    assertEquals("RTM_NEWROUTE 10.9.0.0/16: ENODEV (Nexthop device required for onlink)", onlink.getMessage());
    NetlinkException cidr = assertThrows(NetlinkException.class,
        () -> nl.routeReplace(Route.via(IpPrefix.parse("10.9.0.1/16"), parseV4("1.2.3.4"), vx.index(), true, 118)));
    assertEquals("RTM_NEWROUTE 10.9.0.1/16: EINVAL (Invalid prefix for given prefix length)", cidr.getMessage());
    assertEquals("EINVAL", Errno.name(cidr.errno()));
    NetlinkException mac = assertThrows(NetlinkException.class, () -> nl.linkSetMac(vx.index(), MacAddress.parse("01:00:5e:00:00:01")));
    assertEquals(Errno.EADDRNOTAVAIL, mac.errno());
    assertTrue(mac.getMessage().startsWith("RTM_NEWLINK dev " + vx.index() + " address 01:00:5e:00:00:01: EADDRNOTAVAIL"), mac.getMessage());
    NetlinkException dev = assertThrows(NetlinkException.class, () -> nl.neighReplace(9999, parseV4("179.17.1.31"), PEER_MAC));
    assertEquals(Errno.ENODEV, dev.errno());
  }

  @Test
  void batchMixesReplacesAndDeletesAndReportsEachFailingOperation() {
    ns.ip("neigh", "replace", "179.17.1.40", "lladdr", "02:00:00:00:00:40", "dev", "vxlan-test", "nud", "permanent");
    ns.bridge("fdb", "replace", "02:00:00:00:00:40", "dst", "10.211.55.40", "dev", "vxlan-test", "self", "permanent");
    ns.ip("nexthop", "replace", "id", "40", "via", "179.17.1.40", "dev", "vxlan-test", "onlink", "proto", "118");
    ns.ip("route", "replace", "10.234.140.0/24", "nhid", "40", "proto", "118");
    NetlinkBatch b = nl.batch()
        .neighReplace(vx.index(), parseV4("179.17.1.31"), PEER_MAC)
        .fdbReplace(vx.index(), PEER_MAC, parseV4("10.211.55.6"))
        .nexthopReplace(new Nexthop(7, parseV4("179.17.1.31"), vx.index(), true, 118))
        .routeReplace(Route.viaNexthop(IpPrefix.parse("10.234.118.0/24"), 7, 118))
        .routeReplace(Route.viaNexthop(IpPrefix.parse("10.234.119.0/24"), 99, 118)) // index 4: no nexthop 99
        .routeDel(IpPrefix.parse("10.234.140.0/24"), 118, Route.TABLE_MAIN)
        .nexthopDel(40)
        .fdbDel(vx.index(), MacAddress.parse("02:00:00:00:00:40"), null)
        .neighDel(vx.index(), parseV4("179.17.1.40"))
        .neighDel(vx.index(), parseV4("179.17.1.99")); // absent: success
    assertEquals(10, b.size());
    List<NetlinkBatch.Failure> failures = b.send();
    assertEquals(0, b.size(), "a sent batch is empty again");
    assertEquals(1, failures.size(), failures.toString());
    assertEquals(4, failures.get(0).index());
    assertEquals("RTM_NEWROUTE: EINVAL (Nexthop id does not exist)", failures.get(0).error().getMessage());
    assertTrue(ns.ip("neigh", "show", "dev", "vxlan-test").contains("179.17.1.31 lladdr 7a:3a:fe:45:a3:76 PERMANENT"));
    assertTrue(ns.bridge("fdb", "show", "dev", "vxlan-test").contains("7a:3a:fe:45:a3:76 dst 10.211.55.6 self permanent"));
    assertEquals("id 7 via 179.17.1.31 dev vxlan-test scope link proto 118 onlink", ns.ip("nexthop").strip());
    String routes = ns.ip("route");
    assertTrue(routes.contains("10.234.118.0/24 nhid 7 via 179.17.1.31 dev vxlan-test proto 118 onlink"), routes);
    assertFalse(routes.contains("10.234.119.0/24") || routes.contains("10.234.140.0/24"), routes);
    assertFalse(ns.bridge("fdb", "show", "dev", "vxlan-test").contains("02:00:00:00:00:40"));
    assertFalse(ns.ip("neigh", "show", "dev", "vxlan-test").contains("179.17.1.40"));
  }

  @Test
  void batchBeyondTheDefaultAckLimitAttributesFailuresByIndex() {
    NetlinkBatch b = nl.batch();
    for (int i = 0; i < 3000; i++) {
      if (i == 1234) {
        b.neighReplace(9999, parseV4("179.17.9.9"), PEER_MAC); // no such device
      } else {
        b.neighReplace(vx.index(), parseV4("179.17." + (2 + i / 250) + "." + (1 + i % 250)), PEER_MAC);
      }
    }
    b.neighDel(vx.index(), parseV4("179.17.99.99")); // absent: not a failure
    List<NetlinkBatch.Failure> failures = b.send();
    assertEquals(1, failures.size(), failures.toString());
    assertEquals(1234, failures.get(0).index());
    assertEquals("RTM_NEWNEIGH", failures.get(0).error().operation());
    assertEquals(2999, nl.neighList(vx.index()).size());
    assertEquals(2999, ns.ip("neigh", "show", "dev", "vxlan-test").lines().count());
  }

  @Test
  void batchWhereEveryOperationFailsLosesNoError() {
    NetlinkBatch b = nl.batch();
    for (int i = 0; i < 5000; i++) {
      b.neighReplace(9999, parseV4("179.18." + (i / 250) + "." + (1 + i % 250)), PEER_MAC);
    }
    List<NetlinkBatch.Failure> failures = b.send();
    assertEquals(5000, failures.size());
    assertTrue(failures.stream().allMatch(f -> f.error().errno() == Errno.ENODEV));
    assertEquals(4999, failures.get(4999).index());
    nl.neighReplace(vx.index(), parseV4("179.17.1.31"), PEER_MAC); // the socket is still in step
    assertEquals(1, nl.neighList(vx.index()).size());
  }

  @Test
  void idleMonitorSocketReturnsEmptyAfterItsTimeoutThenDeliversTheNextChange() {
    try (io.vxmesh.netlink.nl.NetlinkSocket s = io.vxmesh.netlink.nl.NetlinkSocket.openIn(ns.name(), Rtnl.RTNLGRP_NEIGH)) {
      long t0 = System.nanoTime();
      assertEquals(List.of(), s.receiveNotifications()); // nothing happened: the 250 ms receive timeout passes
      long waitedMs = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(waitedMs >= 200 && waitedMs < 2_000, "waited " + waitedMs + " ms");
      assertEquals(List.of(), s.receiveNotifications()); // and again: the socket is still usable
      ns.ip("neigh", "replace", "179.17.1.41", "lladdr", "7a:3a:fe:45:a3:76", "dev", "vxlan-test", "nud", "permanent");
      List<io.vxmesh.netlink.nl.NlMessage> got = List.of();
      for (int i = 0; i < 12 && got.isEmpty(); i++) {
        got = s.receiveNotifications();
      }
      assertFalse(got.isEmpty(), "no neighbour notification within 12 receive timeouts");
    }
  }

  @Test
  void monitorDeliversDecodedNotifications() throws Exception {
    List<NetlinkEvent> got = new CopyOnWriteArrayList<>();
    try (NetlinkMonitor m = NetlinkMonitor.startIn(ns.name(), got::add)) {
      ns.ip("neigh", "replace", "179.17.1.40", "lladdr", "7a:3a:fe:45:a3:76", "dev", "vxlan-test", "nud", "permanent");
      ns.ip("route", "add", "10.77.0.0/16", "via", "179.17.1.40", "dev", "vxlan-test", "onlink", "proto", "118");
      ns.ip("link", "set", "vxlan-test", "mtu", "1300");
      TestNetns.await(3000, () -> got.stream().anyMatch(e -> e instanceof NetlinkEvent.NeighEvent n
          && n.neigh().ip().equals(parseV4("179.17.1.40")) && !n.deleted()), "neighbour notification");
      TestNetns.await(3000, () -> got.stream().anyMatch(e -> e instanceof NetlinkEvent.RouteEvent r
          && r.route().protocol() == 118 && r.route().dst().equals(IpPrefix.parse("10.77.0.0/16"))), "route notification");
      TestNetns.await(3000, () -> got.stream().anyMatch(e -> e instanceof NetlinkEvent.LinkEvent l
          && l.link().mtu() == 1300), "link notification");
      ns.ip("neigh", "del", "179.17.1.40", "dev", "vxlan-test");
      TestNetns.await(3000, () -> got.stream().anyMatch(e -> e instanceof NetlinkEvent.NeighEvent n && n.deleted()), "neighbour deletion");
    }
  }
}
