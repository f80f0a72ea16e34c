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
      assertTrue(dp.converge(SPEC, List.of(NODE1, NODE2), true).noop());
      assertTrue(dp.installed(SPEC).status(NODE2).complete());
      assertEquals(4, dp.converge(SPEC, List.of(NODE1), true).removed());
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
      assertTrue(r.errors().get(0).toString().contains("neigh replace 179.17.1.31"), r.errors().toString());
      assertTrue(k.applied.stream().noneMatch(c -> c.peer().equals("node1")), "node1's FDB/route skipped");
      assertTrue(dp.installed(SPEC).status(NODE2).complete());
      k.failWhen = c -> false;
      assertEquals(4, dp.converge(SPEC, List.of(NODE1, NODE2), true).added());
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
