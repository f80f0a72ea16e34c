package io.vxmesh.lab.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vxmesh.proto.ListMembersResponse;
import io.vxmesh.proto.Member;
import io.vxmesh.proto.MemberNetwork;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.PingResult;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.testing.E2ETest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 5's acceptance test: the seed walkthrough's two hosts, done by two real agents. master1
 * starts the mesh, node1 joins through master1:7947; afterwards each host holds exactly the
 * seed's neighbour, FDB entry and route for the other, pods ping with TTL 62, hosts reach the
 * remote pod with TTL 63, and {@code vxmesh members} shows both alive with the seed's values.
 */
@ExtendWith(DiagnoseOnFailure.class)
@E2ETest
class SeedAcceptanceE2ETest implements DiagnoseOnFailure.Source {
  private Testbed tb;

  @Override
  public Testbed testbed() {
    return tb;
  }

  @BeforeEach
  void buildTheSeedsTwoHosts() {
    Mesh.requireRootAndAgent();
    tb = Testbed.create(2, true);
  }

  @AfterEach
  void removeEverything() {
    if (tb != null) {
      tb.close();
    }
  }

  @Test
  void twoAgentsProgramExactlyTheSeedsEntriesAndPodsPing() {
    Host master1 = tb.host("master1");
    Host node1 = tb.host("node1");
    assertEquals(List.of(), tb.agentToml(master1).join(), "master1 starts the mesh");
    assertEquals(List.of("10.211.55.5:7947"), tb.agentToml(node1).join(), "node1 joins through master1");
    Mesh.startAll(tb, tb.hosts());

    // The VTEP device is the seed's `ip link add vxlan-test type vxlan id 10001 dstport 4899 local ... nolearning`.
    assertVtep(master1, "10.211.55.5", "c2:6a:9b:e5:39:8d");
    assertVtep(node1, "10.211.55.6", "7a:3a:fe:45:a3:76");

    // Exactly the seed's: arp -s 179.17.1.31 7a:3a:fe:45:a3:76; bridge fdb append 7a:3a:fe:45:a3:76 dst 10.211.55.6;
    // route add -net 10.234.118.0/24 gw 179.17.1.31 dev vxlan-test (and the mirror image on node1).
    Mesh.assertExactlyPeers(tb, master1, tb.hosts());
    Mesh.assertExactlyPeers(tb, node1, tb.hosts());
    assertEquals("179.17.1.31", tb.tables().neighbours(master1).get(0).dst());
    assertEquals("10.211.55.6", tb.tables().fdb(master1).get(0).dst());
    assertEquals("179.17.1.21", tb.tables().neighbours(node1).get(0).dst());
    assertEquals("10.211.55.5", tb.tables().fdb(node1).get(0).dst());

    assertPing(tb.pings().podToPod(master1, node1), 62);
    assertPing(tb.pings().podToPod(node1, master1), 62);
    assertPing(tb.pings().hostToPod(master1, node1), 63);
    assertPing(tb.pings().hostToPod(node1, master1), 63);

    for (Host h : tb.hosts()) {
      ListMembersResponse members = tb.agent(h).members();
      assertEquals(List.of("master1", "node1"), members.getMembersList().stream().map(Member::getName).toList(),
          "vxmesh members on " + h.name());
      assertMember(members.getMembers(0), "10.211.55.5", "c2:6a:9b:e5:39:8d", "179.17.1.21/24", "10.234.111.0/24");
      assertMember(members.getMembers(1), "10.211.55.6", "7a:3a:fe:45:a3:76", "179.17.1.31/24", "10.234.118.0/24");
    }
  }

  private void assertVtep(Host h, String local, String mac) {
    JsonNode link = tb.tables().vtepLink(h).orElseThrow(() -> new AssertionError("no vxlan-test on " + h.name()));
    JsonNode vx = link.path("linkinfo").path("info_data");
    assertEquals("vxlan", link.path("linkinfo").path("info_kind").asText(), h.name());
    assertEquals(10001, vx.path("id").asInt(), h.name());
    assertEquals(4899, vx.path("port").asInt(), h.name());
    assertEquals(local, vx.path("local").asText(), h.name());
    assertFalse(vx.path("learning").asBoolean(true), "nolearning on " + h.name());
    assertEquals(mac, link.path("address").asText(), h.name());
    assertEquals(1450, link.path("mtu").asInt(), "underlay 1500 - 50 on " + h.name());
    assertTrue(link.path("flags").toString().contains("\"UP\""), "vxlan-test up on " + h.name());
    String addr = tb.topology().execHost(h, java.time.Duration.ofSeconds(5), "ip", "-br", "addr", "show", "vxlan-test").stdout();
    assertTrue(addr.contains(h.spec().vtepAddress().toString()), addr);
  }

  private static void assertPing(PingResult p, int ttl) {
    assertTrue(p.allReceived(), p.output());
    assertEquals(ttl, p.ttl(), p.output());
  }

  private static void assertMember(Member m, String hostIp, String mac, String vtepIp, String podCidr) {
    assertEquals("alive", m.getStatus(), m.getName());
    assertEquals(hostIp, m.getHostIp(), m.getName());
    assertEquals(1, m.getNetworksCount(), m.getName());
    MemberNetwork n = m.getNetworks(0);
    assertEquals(10001, n.getVni(), m.getName());
    assertEquals(mac, n.getVtepMac(), m.getName());
    assertEquals(vtepIp, n.getVtepIp(), m.getName());
    assertEquals(podCidr, n.getPodCidr(), m.getName());
  }
}
