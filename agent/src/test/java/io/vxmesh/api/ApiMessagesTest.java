package io.vxmesh.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vxmesh.gossip.Announced;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.proto.ListMembersResponse;
import io.vxmesh.proto.Member;
import io.vxmesh.proto.MemberNetwork;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Membership snapshots become the API's text forms. */
class ApiMessagesTest {
  static final Announced MASTER1 = new Announced("master1", IpAddresses.parseV4("10.211.55.5"),
      List.of(new Announced.Network(10001, 4899, MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("179.17.1.21/24"),
          IpPrefix.parse("10.234.111.0/24"), 1450)),
      3, Announced.State.ALIVE, 0, "0.1.0");

  @Test
  void membersSortedWithAnnouncedNetworksAndUntrustedWithoutThem() {
    MembershipView view = new MembershipView(5, true, List.of(
        new MemberState("zz-intruder", HostPort.parse("10.211.55.66:7947"), MemberStatus.UNTRUSTED, null, "bad signature", false),
        new MemberState("master1", HostPort.parse("10.211.55.5:7947"), MemberStatus.ALIVE, MASTER1, "", true)));
    ListMembersResponse r = ApiMessages.listMembers(view);
    assertEquals(List.of("master1", "zz-intruder"), r.getMembersList().stream().map(Member::getName).toList());
    Member m = r.getMembers(0);
    assertEquals("10.211.55.5", m.getHostIp());
    assertEquals("alive", m.getStatus());
    assertEquals(3, m.getGeneration());
    assertEquals(true, m.getSelf());
    MemberNetwork n = m.getNetworks(0);
    assertEquals(MemberNetwork.newBuilder().setVni(10001).setPort(4899).setVtepMac("c2:6a:9b:e5:39:8d").setVtepIp("179.17.1.21/24")
        .setPodCidr("10.234.111.0/24").setMtu(1450).build(), n);
    Member untrusted = r.getMembers(1);
    assertEquals("10.211.55.66", untrusted.getHostIp(), "from the gossip address when nothing was announced");
    assertEquals("untrusted", untrusted.getStatus());
    assertEquals("bad signature", untrusted.getReason());
    assertEquals(0, untrusted.getNetworksCount());
    assertEquals(List.of("alive=1", "untrusted=1"),
        ApiMessages.memberCounts(view).stream().map(c -> c.getStatus() + "=" + c.getCount()).toList());
  }

  @Test
  void hostIpOfAMemberWithoutAnnouncementComesFromItsGossipAddress() {
    Member m = ApiMessages.member(new MemberState("x", HostPort.parse("[fd00::1]:7947"), MemberStatus.UNTRUSTED, null, "VNI 1: VTEP MAC malformed", false));
    assertEquals("fd00:0:0:0:0:0:0:1", m.getHostIp(), "printed as every host IP is");
    assertEquals(0, m.getNetworksCount());
  }
}
