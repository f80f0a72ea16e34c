package io.vxmesh.datapath;

import static io.vxmesh.net.IpAddresses.parseV4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure diff: values in, changes out, no kernel. */
class DatapathDiffTest {
  static final Peer NODE1 = peer("node1", "10.211.55.6", "7a:3a:fe:45:a3:76", "179.17.1.31", "10.234.118.0/24");
  static final Peer NODE2 = peer("node2", "10.211.55.7", "7a:3a:fe:45:a3:77", "179.17.1.32", "10.234.119.0/24");

  static Peer peer(String name, String host, String mac, String vtep, String cidr) {
    return new Peer(name, parseV4(host), MacAddress.parse(mac), parseV4(vtep), IpPrefix.parse(cidr));
  }

  static KernelState installed(Peer... peers) {
    FakeDatapathKernel k = new FakeDatapathKernel();
    k.apply(1, DatapathDiff.compute(List.of(peers), KernelState.empty(), true).changes());
    return k.dump(1);
  }

  @Test
  void nexthopIdIsTheVtepAddressAsUnsigned32Bits() {
    assertEquals(0xb311011f, DatapathDiff.nexthopId(parseV4("179.17.1.31")));
    assertEquals("3004236063", Integer.toUnsignedString(DatapathDiff.nexthopId(parseV4("179.17.1.31"))));
  }

  @Test
  void emptyKernelGetsFourObjectsPerPeerInDependencyOrder() {
    DatapathDiff.Plan p = DatapathDiff.compute(List.of(NODE2, NODE1), KernelState.empty(), true);
    assertEquals(8, p.added());
    assertEquals(0, p.removed());
    List<String> kinds = p.changes().stream().map(c -> c.getClass().getSimpleName() + ":" + c.peer()).toList();
    assertEquals(List.of("NeighSet:node1", "NeighSet:node2", "FdbSet:node1", "FdbSet:node2",
        "NexthopSet:node1", "NexthopSet:node2", "RouteSet:node1", "RouteSet:node2"), kinds);
  }

  @Test
  void convergedStateIsANoop() {
    DatapathDiff.Plan p = DatapathDiff.compute(List.of(NODE1, NODE2), installed(NODE1, NODE2), true);
    assertEquals(List.of(), p.changes());
    assertEquals(8, p.unchanged());
  }

  @Test
  void changedHostIpReplacesOnlyTheFdbEntry() {
    Peer moved = peer("node1", "10.211.55.99", "7a:3a:fe:45:a3:76", "179.17.1.31", "10.234.118.0/24");
    DatapathDiff.Plan p = DatapathDiff.compute(List.of(moved, NODE2), installed(NODE1, NODE2), true);
    assertEquals(List.of(new Change.FdbSet("node1", moved.vtepMac(), parseV4("10.211.55.99"))), p.changes());
    assertEquals(1, p.changed());
  }

  @Test
  void goneRemovedInReverseOrderOnlyWhenAllowed() {
    KernelState both = installed(NODE1, NODE2);
    assertEquals(List.of(), DatapathDiff.compute(List.of(NODE1), both, false).changes());
    DatapathDiff.Plan p = DatapathDiff.compute(List.of(NODE1), both, true);
    assertEquals(4, p.removed());
    assertEquals(List.of("RouteDel", "NexthopDel", "FdbDel", "NeighDel"),
        p.changes().stream().map(c -> c.getClass().getSimpleName()).toList());
  }

  @Test
  void conflictingPeersAndForeignRoutesAreRefusedNotInstalled() {
    Peer sameIp = peer("node3", "10.211.55.8", "7a:3a:fe:45:a3:78", "179.17.1.31", "10.234.120.0/24");
    Peer hostBits = peer("node4", "10.211.55.9", "7a:3a:fe:45:a3:79", "179.17.1.34", "10.234.121.1/24");
    KernelState foreign = new KernelState(Map.of(), Map.of(), Map.of(), Map.of(), Set.of(NODE2.podCidr()));
    DatapathDiff.Plan p = DatapathDiff.compute(List.of(NODE1, NODE2, sameIp, hostBits), foreign, true);
    assertEquals(3, p.refused().size(), p.refused().toString());
    assertTrue(p.refused().get(0).reason().contains("another protocol"), p.refused().toString());
    assertTrue(p.changes().stream().noneMatch(c -> c.peer().equals("node3") || c.peer().equals("node4")));
    assertTrue(p.changes().stream().noneMatch(c -> c instanceof Change.RouteSet r && r.dst().equals(NODE2.podCidr())));
  }

  @Test
  void statusSaysWhichObjectsArePresent() {
    KernelState s = installed(NODE1);
    assertTrue(DatapathDiff.status(NODE1, s).complete());
    PeerStatus two = DatapathDiff.status(NODE2, s);
    assertFalse(two.neighbour() || two.fdb() || two.route());
  }
}
