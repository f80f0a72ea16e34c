package io.vxmesh.netlink.nl;

import static io.vxmesh.net.IpAddresses.parseV4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vxmesh.netlink.NetlinkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire layer's encoding and decoding, round-tripped through bytes (no kernel, no root). */
class NlCodecTest {
  private static NlMessage one(byte[] raw) {
    List<NlMessage> ms = NlMessage.split(raw, raw.length);
    assertEquals(1, ms.size());
    return ms.get(0);
  }

  @Test
  void headerCarriesLengthTypeFlagsAndSequenceInHostOrder() {
    byte[] raw = new Ndmsg(Rtnl.AF_INET, 5, 0, 0, 0).request(Rtnl.RTM_DELNEIGH, 0).encode(0x01020304);
    assertEquals("1c000000" + "1d00" + "0100" + "04030201" + "00000000" + "020000000500000000000000",
        HexFormat.of().formatHex(raw)); // len 28, RTM_DELNEIGH, NLM_F_REQUEST, seq, pid 0, ndmsg
    NlMessage m = one(raw);
    assertEquals(Rtnl.RTM_DELNEIGH, m.type());
    assertEquals(Rtnl.NLM_F_REQUEST, m.flags());
    assertEquals(0x01020304, m.seq());
    assertEquals(28, m.length());
  }

  @Test
  void familyHeadersHaveTheKernelsSizesAndRoundTrip() {
    Ifinfomsg ifi = new Ifinfomsg(0, 1, 7, Rtnl.IFF_UP, Rtnl.IFF_UP);
    assertEquals(ifi, Ifinfomsg.decode(sized(ifi.request(Rtnl.RTM_NEWLINK, 0), Ifinfomsg.SIZE, 16)));
    Ifaddrmsg ifa = new Ifaddrmsg(Rtnl.AF_INET, 24, 0x80, Rtnl.RT_SCOPE_LINK, 7);
    assertEquals(ifa, Ifaddrmsg.decode(sized(ifa.request(Rtnl.RTM_NEWADDR, 0), Ifaddrmsg.SIZE, 8)));
    Ndmsg nd = new Ndmsg(Rtnl.AF_BRIDGE, 7, Rtnl.NUD_NOARP | Rtnl.NUD_PERMANENT, Rtnl.NTF_SELF, 1);
    assertEquals(nd, Ndmsg.decode(sized(nd.request(Rtnl.RTM_NEWNEIGH, 0), Ndmsg.SIZE, 12)));
    Rtmsg rt = new Rtmsg(Rtnl.AF_INET, 24, 0, 0, Rtnl.RT_TABLE_MAIN, 118, Rtnl.RT_SCOPE_UNIVERSE, Rtnl.RTN_UNICAST, Rtnl.RTNH_F_ONLINK);
    assertEquals(rt, Rtmsg.decode(sized(rt.request(Rtnl.RTM_NEWROUTE, 0), Rtmsg.SIZE, 12)));
    Nhmsg nh = new Nhmsg(Rtnl.AF_INET, Rtnl.RT_SCOPE_LINK, 118, Rtnl.RTNH_F_ONLINK);
    assertEquals(nh, Nhmsg.decode(sized(nh.request(Rtnl.RTM_NEWNEXTHOP, 0), Nhmsg.SIZE, 8)));
  }

  /** The message of a request with only a family header, checked to be that header's size (FACTS.md). */
  private static NlMessage sized(NlMsg request, int size, int kernelSize) {
    assertEquals(kernelSize, size);
    NlMessage m = one(request.encode(1));
    assertEquals(16 + size, m.length());
    return m;
  }

  @Test
  void attributesArePaddedNulTerminatedNestedAndReadBack() {
    NlMsg req = new Nhmsg(Rtnl.AF_INET, 0, 0, 0).request(Rtnl.RTM_NEWNEXTHOP, 0);
    int outer = req.nestStart(1);
    req.attrU8(2, 0xab).attrU16(3, 0x1234).attrBe16(4, 4899).attrU32(5, -2).attrString(6, "vx").attrAddr(7, parseV4("10.211.55.5"));
    req.nestEnd(outer);
    assertEquals(0, req.length() % 4);
    NlMessage m = one(req.encode(1));
    NlAttrs top = m.attrs(Nhmsg.SIZE);
    assertEquals(6 * 8, top.length(1)); // its payload: six attributes, each padded to 8 bytes
    NlAttrs a = top.nested(1);
    assertEquals(0xab, a.u8(2, 0));
    assertEquals(0x1234, a.u16(3, 0));
    assertArrayEquals(new byte[] {0x13, 0x23}, a.bytes(4)); // network order
    assertEquals(4899, a.be16(4, 0));
    assertEquals(-2, a.u32(5, 0));
    assertEquals(3, a.length(6)); // "vx" + NUL
    assertEquals("vx", a.string(6));
    assertEquals(parseV4("10.211.55.5"), a.addr(7));
    assertFalse(a.has(8));
    assertEquals(-1, a.u32(8, -1));
    assertNull(a.string(8));
  }

  @Test
  void errorAckDecodesErrnoSequenceAndExtendedAckText() {
    // NLMSG_ERROR, flags CAPPED|ACK_TLVS: error -22, echoed header (seq 7), NLMSGERR_ATTR_MSG.
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
    String text = "Invalid prefix for given prefix length";
    int attrLen = 4 + text.length() + 1;
    int len = 16 + 4 + 16 + NlMsg.align(attrLen);
    b.putInt(len).putShort((short) Rtnl.NLMSG_ERROR).putShort((short) (Rtnl.NLM_F_CAPPED | Rtnl.NLM_F_ACK_TLVS)).putInt(7).putInt(0);
    b.putInt(-22);
    b.putInt(44).putShort((short) Rtnl.RTM_NEWROUTE).putShort((short) 0).putInt(7).putInt(0);
    byte[] full = new byte[len];
    b.flip();
    ByteBuffer bb = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder()).put(b);
    bb.putShort((short) attrLen).putShort((short) Rtnl.NLMSGERR_ATTR_MSG).put(text.getBytes()).put((byte) 0);
    System.arraycopy(bb.array(), 0, full, 0, len);
    NlMessage m = one(full);
    assertEquals(22, m.errno());
    assertEquals(7, m.erroredSeq());
    assertEquals(text, m.extAckMessage());
    assertEquals("RTM_NEWROUTE: EINVAL (" + text + ")", new NetlinkException("RTM_NEWROUTE", m.errno(), m.extAckMessage()).getMessage());
  }

  @Test
  void splitStopsAtTruncatedMessagesAndAttrsIgnoreOverruns() {
    byte[] a = new Ndmsg(Rtnl.AF_INET, 1, 0, 0, 0).request(Rtnl.RTM_DELNEIGH, 0).attrU32(1, 0x01020304).encode(1);
    byte[] two = new byte[a.length * 2 - 4];
    System.arraycopy(a, 0, two, 0, a.length);
    System.arraycopy(a, 0, two, a.length, a.length - 4);
    assertEquals(1, NlMessage.split(two, two.length).size());
    ByteBuffer bad = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putShort((short) 40).putShort((short) 1);
    assertFalse(NlAttrs.parse(bad, 0, 8).has(1));
    assertNull(NlAttrs.parse(bad, 0, 8).bytes(1));
  }

  @Test
  void errnoNamesKnownAndUnknownNumbers() {
    assertEquals("errno 200", Errno.name(200));
    assertEquals("ENOBUFS", Errno.name(-105));
  }
}
