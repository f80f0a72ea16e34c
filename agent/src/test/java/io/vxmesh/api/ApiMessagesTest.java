package io.vxmesh.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.MacAddress;
import io.vxmesh.proto.Announcement;
import io.vxmesh.proto.ListMembersResponse;
import io.vxmesh.proto.Member;
import io.vxmesh.proto.MemberNetwork;
import io.vxmesh.proto.NetworkAnnouncement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Membership snapshots become the API's text forms. */
class ApiMessagesTest {
  static ByteString v4(String ip) {
    return ByteString.copyFrom(IpAddresses.parseV4(ip).getAddress());
  }

  static final Announcement MASTER1 = Announcement.newBuilder()
      .setNodeName("master1").setHostIp(v4("10.211.55.5")).setGeneration(3).setVersion("0.1.0")
      .addNetworks(NetworkAnnouncement.newBuilder().setVni(10001).setPort(4899)
          .setVtepMac(ByteString.copyFrom(MacAddress.parse("c2:6a:9b:e5:39:8d").bytes()))
          .setVtepIp(v4("179.17.1.21")).setVtepPrefixLen(24)
          .setPodCidrAddr(v4("10.234.111.0")).setPodCidrPrefixLen(24).setMtu(1450))
      .build();

  @Test
  void membersSortedWithAnnouncedNetworksAndUntrustedWithoutThem() {
    MembershipView view = new MembershipView(5, true, List.of(
        new MemberState("zz-intruder", "10.211.55.66:7947", MemberStatus.UNTRUSTED, null, "bad signature", false),
        new MemberState("master1", "10.211.55.5:7947", MemberStatus.ALIVE, MASTER1, "", true)));
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
  void undecodableBytesPrintAsQuestionMarks() {
    Announcement bad = MASTER1.toBuilder().setHostIp(ByteString.copyFrom(new byte[3]))
        .setNetworks(0, MASTER1.getNetworks(0).toBuilder().setVtepMac(ByteString.copyFrom(new byte[5])).setPodCidrPrefixLen(40)).build();
    Member m = ApiMessages.member(new MemberState("x", "[fd00::1]:7947", MemberStatus.CONFLICT, bad, "pod CIDR taken", false));
    assertEquals("?", m.getHostIp());
    assertEquals("?", m.getNetworks(0).getVtepMac());
    assertEquals("?", m.getNetworks(0).getPodCidr());
    assertEquals("fd00::1", ApiMessages.hostOf("[fd00::1]:7947"));
  }
}
