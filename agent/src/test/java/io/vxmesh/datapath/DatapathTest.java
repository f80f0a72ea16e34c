package io.vxmesh.datapath;

import static io.vxmesh.datapath.DatapathDiffTest.NODE1;
import static io.vxmesh.datapath.DatapathDiffTest.NODE2;
import static io.vxmesh.net.IpAddresses.parseV4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Datapath.converge on the in-memory kernel (no root). */
class DatapathTest {
  static final VtepSpec SPEC = new VtepSpec("vxlan-test", 10001, 4899, parseV4("10.211.55.5"), "ul0",
      MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("179.17.1.21/24"), 1450);

  @Test
  void convergeInstallsThenIsIdempotentThenRemoves() {
    FakeDatapathKernel k = new FakeDatapathKernel();
    try (Datapath dp = new Datapath(k)) {
      ConvergeResult first = dp.converge(SPEC, List.of(NODE1, NODE2), true);
      assertEquals(8, first.added());
      assertTrue(first.ok());
      assertEquals(List.of("node1", "node2"), first.addedPeers());
      assertEquals(2, first.installed());
      ConvergeResult again = dp.converge(SPEC, List.of(NODE1, NODE2), true);
      assertTrue(again.noop());
      assertEquals(List.of(), again.addedPeers());
      assertEquals(2, again.installed());
      assertTrue(dp.installed(SPEC).status(NODE2).complete());
      k.routes.remove(NODE1.podCidr()); // drift
      assertEquals(List.of("node1"), dp.converge(SPEC, List.of(NODE1, NODE2), true).changedPeers());
      ConvergeResult gone = dp.converge(SPEC, List.of(NODE1), true);
      assertEquals(4, gone.removed());
      assertEquals(java.util.Map.of("neighbour", 1, "fdb", 1, "nexthop", 1, "route", 1), gone.objects(),
          "objects after the pass, not before it");
      assertEquals(java.util.Map.of("neighbour", 2, "fdb", 2, "nexthop", 2, "route", 2), first.objects());
      assertEquals(List.of("179.17.1.32"), gone.removedPeers());
      assertEquals(4, dp.removeAllPeers(SPEC).removed());
      assertEquals(0, k.dump(1).size());
    }
  }

  @Test
  void failingPeerDoesNotStopOthersAndSkipsItsLaterObjects() {
    FakeDatapathKernel k = new FakeDatapathKernel();
    k.failWhen = c -> c instanceof Change.NeighSet && c.peer().equals("node1");
    try (Datapath dp = new Datapath(k)) {
      ConvergeResult r = dp.converge(SPEC, List.of(NODE1, NODE2), true);
      assertEquals(1, r.errors().size(), r.errors().toString());
      assertEquals("node1", r.errors().get(0).peer());
      assertEquals(1, r.installed());
      assertEquals(java.util.Map.of("neighbour", 1, "fdb", 1, "nexthop", 1, "route", 1), r.objects(), "failed changes not counted");
      assertTrue(r.errors().get(0).toString().contains("neigh replace 179.17.1.31"), r.errors().toString());
      assertTrue(k.applied.stream().noneMatch(c -> c.peer().equals("node1")), "node1's FDB/route skipped");
      assertTrue(dp.installed(SPEC).status(NODE2).complete());
      k.failWhen = c -> false;
      assertEquals(4, dp.converge(SPEC, List.of(NODE1, NODE2), true).added());
    }
  }

  @Test
  void installedGroupsKernelObjectsPerPeerWithoutDesiredState() {
    FakeDatapathKernel k = new FakeDatapathKernel();
    try (Datapath dp = new Datapath(k)) {
      dp.converge(SPEC, List.of(NODE1, NODE2), true);
      k.fdb.remove(NODE2.vtepMac());
      List<Installed.Entry> entries = dp.installed(SPEC).entries();
      assertEquals(List.of(
          new Installed.Entry(NODE1.vtepIp(), NODE1.vtepMac(), NODE1.hostIp(), NODE1.podCidr()),
          new Installed.Entry(NODE2.vtepIp(), NODE2.vtepMac(), null, NODE2.podCidr())), entries);
      PeerStatus two = dp.installed(SPEC).status(NODE2);
      assertTrue(two.neighbour() && !two.fdb() && two.route() && !two.complete());
    }
  }

  @Test
  void recreatedDeviceIsRefilled() {
    FakeDatapathKernel k = new FakeDatapathKernel();
    try (Datapath dp = new Datapath(k)) {
      dp.converge(SPEC, List.of(NODE1), true);
      k.deleteDevice();
      assertEquals(4, dp.converge(SPEC, List.of(NODE1), true).added());
      assertTrue(dp.installed(SPEC).status(NODE1).complete());
    }
  }
}
