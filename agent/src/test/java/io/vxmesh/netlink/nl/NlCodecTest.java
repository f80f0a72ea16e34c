package io.vxmesh.netlink.nl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vxmesh.netlink.NetlinkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    byte[] a = new NlMsg(Rtnl.RTM_DELNEIGH, 0).u32(1).attrU32(1, 0x01020304).encode(1);
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
