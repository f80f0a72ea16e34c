package io.vxmesh.netlink.nl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One received netlink message: its header fields and a view of its bytes. The family header
 * starts at {@link #payload()} (offset 16 of the message) and is read with the header's own
 * decoder ({@link Ndmsg#decode}, {@link Rtmsg#decode}, ...); its attributes follow
 * ({@link #attrs(int)} with the header's size).
 */
public record NlMessage(int type, int flags, int seq, int pid, ByteBuffer buf, int start, int length) {
  /** Offset of the family header (just after the nlmsghdr) in {@link #buf()}. */
  int payload() {
    return start + Rtnl.NLMSG_HDRLEN;
  }

  int end() {
    return start + length;
  }

  int u8(int offsetInPayload) {
    return buf.get(payload() + offsetInPayload) & 0xff;
  }

  int u16(int offsetInPayload) {
    return buf.getShort(payload() + offsetInPayload) & 0xffff;
  }

  int u32(int offsetInPayload) {
    return buf.getInt(payload() + offsetInPayload);
  }

  /** Attributes after a family header of {@code headerLen} bytes. */
  public NlAttrs attrs(int headerLen) {
    return NlAttrs.parse(buf, payload() + NlMsg.align(headerLen), end());
  }

  /** Splits a received datagram into messages (stops at a truncated one). */
  public static java.util.List<NlMessage> split(byte[] data, int n) {
    ByteBuffer bb = ByteBuffer.wrap(data, 0, n).order(ByteOrder.nativeOrder());
    java.util.List<NlMessage> out = new java.util.ArrayList<>();
    int p = 0;
    while (p + Rtnl.NLMSG_HDRLEN <= n) {
      int len = bb.getInt(p);
      if (len < Rtnl.NLMSG_HDRLEN || p + len > n) {
        break;
      }
      out.add(new NlMessage(bb.getShort(p + 4) & 0xffff, bb.getShort(p + 6) & 0xffff, bb.getInt(p + 8),
          bb.getInt(p + 12), bb, p, len));
      p += NlMsg.align(len);
    }
    return out;
  }

  /**
   * For an NLMSG_ERROR message: the positive errno (0 for an ack) and the kernel's extended-ack
   * text (NLMSGERR_ATTR_MSG), or null.
   */
  int errno() {
    return -buf.getInt(payload());
  }

  int erroredSeq() {
    return buf.getInt(payload() + 4 + 8);
  }

  String extAckMessage() {
    if ((flags & Rtnl.NLM_F_ACK_TLVS) == 0) {
      return null;
    }
    int tlv;
    if ((flags & Rtnl.NLM_F_CAPPED) != 0) {
      tlv = payload() + 4 + Rtnl.NLMSG_HDRLEN;
    } else {
      tlv = payload() + 4 + NlMsg.align(buf.getInt(payload() + 4));
    }
    if (tlv >= end()) {
      return null;
    }
    return NlAttrs.parse(buf, tlv, end()).string(Rtnl.NLMSGERR_ATTR_MSG);
  }
}
