package io.vxmesh.netlink;

import static io.vxmesh.net.IpAddresses.parseV4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.nl.Ifinfomsg;
import io.vxmesh.netlink.nl.Ndmsg;
import io.vxmesh.netlink.nl.NlAttrs;
import io.vxmesh.netlink.nl.NlMessage;
import io.vxmesh.netlink.nl.Rtmsg;
import io.vxmesh.netlink.nl.Rtnl;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Objects to requests and messages to objects, byte for byte, without a kernel (no root needed). */
class RtCodecTest {
  static final MacAddress MAC = MacAddress.parse("7a:3a:fe:45:a3:76");

  private static NlMessage one(byte[] raw) {
    List<NlMessage> ms = NlMessage.split(raw, raw.length);
    assertEquals(1, ms.size());
    return ms.get(0);
  }

  @Test
  void neighbourReplaceIsByteExact() {
    byte[] raw = RtCodec.neighReplace(5, parseV4("179.17.1.31"), MAC).encode(42);
    String hex = HexFormat.of().formatHex(raw);
    assertEquals(
        "30000000" + "1c00" + "0105" + "2a000000" + "00000000" // nlmsghdr: len 48, RTM_NEWNEIGH, REQUEST|REPLACE|CREATE, seq 42
            + "02000000" + "05000000" + "8000" + "00" + "00" // ndmsg: AF_INET, ifindex 5, NUD_PERMANENT
            + "08000100" + "b311011f" // NDA_DST 179.17.1.31 in network order
            + "0a000200" + "7a3afe45a376" + "0000", // NDA_LLADDR, padded to 4
        hex);
  }

  @Test
  void vxlanLinkCarriesNetworkOrderPortNulStringsAndNesting() {
    NlMessage m = one(RtCodec.linkAdd("vxlan-test", new VxlanInfo(10001, 4899, parseV4("10.211.55.5"), 3, false),
        MacAddress.parse("c2:6a:9b:e5:39:8d"), 1450).encode(1));
    assertEquals(Rtnl.RTM_NEWLINK, m.type());
    assertEquals(Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, m.flags());
    NlAttrs a = m.attrs(Ifinfomsg.SIZE);
    assertEquals(11, a.length(Rtnl.IFLA_IFNAME)); // "vxlan-test" + NUL
    assertEquals("vxlan-test", a.string(Rtnl.IFLA_IFNAME));
    assertEquals(1450, a.u32(Rtnl.IFLA_MTU, 0));
    NlAttrs data = a.nested(Rtnl.IFLA_LINKINFO).nested(Rtnl.IFLA_INFO_DATA);
    assertArrayEquals(new byte[] {0x13, 0x23}, data.bytes(Rtnl.IFLA_VXLAN_PORT)); // 4899 big-endian
    assertEquals(4899, data.be16(Rtnl.IFLA_VXLAN_PORT, 0));
    assertEquals(0, data.u8(Rtnl.IFLA_VXLAN_LEARNING, 1));
    Link l = RtCodec.link(m); // decodes its own request
    assertEquals(new VxlanInfo(10001, 4899, parseV4("10.211.55.5"), 3, false), l.vxlan());
    assertEquals("vxlan", l.kind());
    assertEquals(MacAddress.parse("c2:6a:9b:e5:39:8d"), l.mac());
    assertEquals(0, m.length() % 4);
  }

  @Test
  void routeAndNexthopRoundTrip() {
    Route r = Route.viaNexthop(IpPrefix.parse("10.234.118.0/24"), 0xb311011f, 118);
    assertEquals(r, RtCodec.route(one(RtCodec.routeReplace(r).encode(1))));
    Route via = Route.via(IpPrefix.parse("10.234.118.0/24"), parseV4("179.17.1.31"), 4, true, 118);
    assertEquals(via, RtCodec.route(one(RtCodec.routeReplace(via).encode(1))));
    Nexthop n = new Nexthop(0xb311011f, parseV4("179.17.1.31"), 4, true, 118);
    assertEquals(n, RtCodec.nexthop(one(RtCodec.nexthopReplace(n).encode(1))));
    NlMessage del = one(RtCodec.routeDel(IpPrefix.parse("10.234.118.0/24"), 118, 254).encode(1));
    assertEquals(118, Rtmsg.decode(del).protocol()); // protocol filter: never deletes someone else's route
    assertEquals(Rtnl.RT_SCOPE_NOWHERE, Rtmsg.decode(del).scope());
  }

  @Test
  void fdbUsesBridgeFamilySelfPermanentAndReplace() {
    NlMessage m = one(RtCodec.fdbReplace(4, MAC, parseV4("10.211.55.6")).encode(1));
    assertEquals(Rtnl.AF_BRIDGE, Ndmsg.decode(m).family());
    assertTrue((m.flags() & Rtnl.NLM_F_REPLACE) != 0);
    assertEquals(new Fdb(4, MAC, parseV4("10.211.55.6"), Rtnl.NUD_NOARP | Rtnl.NUD_PERMANENT, Rtnl.NTF_SELF), RtCodec.fdb(m));
    assertTrue((one(RtCodec.fdbAppend(4, MAC, parseV4("10.211.55.6")).encode(1)).flags() & Rtnl.NLM_F_APPEND) != 0);
  }

  @Test
  void neighbourAndAddressDecodeTheirOwnRequests() {
    assertEquals(new Neigh(5, parseV4("179.17.1.31"), MAC, Rtnl.NUD_PERMANENT),
        RtCodec.neigh(one(RtCodec.neighReplace(5, parseV4("179.17.1.31"), MAC).encode(1))));
    assertEquals(new Address(5, IpPrefix.parse("179.17.1.21/24")),
        RtCodec.address(one(RtCodec.addrReplace(5, IpPrefix.parse("179.17.1.21/24")).encode(1))));
  }

  @Test
  void monitorTellsFdbFromNeighbourAndSkipsNexthopsWithoutId() {
    NetlinkEvent fdb = NetlinkMonitor.decode(one(RtCodec.fdbDel(4, MAC, null).encode(1)));
    assertEquals(new NetlinkEvent.FdbEvent(true, new Fdb(4, MAC, null, 0, Rtnl.NTF_SELF)), fdb);
    NetlinkEvent neigh = NetlinkMonitor.decode(one(RtCodec.neighDel(4, parseV4("179.17.1.31")).encode(1)));
    assertEquals(new NetlinkEvent.NeighEvent(true, new Neigh(4, parseV4("179.17.1.31"), null, 0)), neigh);
    assertNull(NetlinkMonitor.decode(one(RtCodec.nexthopDump().encode(1))));
  }

  @Test
  void badInputIsRejectedWithTheReason() {
    IllegalArgumentException mac = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("c2:6a:9b:e5:39"));
    assertTrue(mac.getMessage().contains("is not a MAC address"), mac.getMessage());
    IllegalArgumentException cidr = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.234.111.0/33"));
    assertTrue(cidr.getMessage().contains("prefix length 33"), cidr.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new VxlanInfo(1 << 24, 4789, null, 0, false));
    assertThrows(IllegalArgumentException.class, () -> new Nexthop(0, null, 1, false, 118));
  }
}
