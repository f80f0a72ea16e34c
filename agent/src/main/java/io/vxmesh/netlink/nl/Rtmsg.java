package io.vxmesh.netlink.nl;

/**
 * {@code struct rtmsg} (linux/rtnetlink.h, 12 bytes), the family header of RTM_*ROUTE.
 *
 * @param family AF_INET or AF_INET6
 * @param dstLen destination prefix length
 * @param srcLen source prefix length
 * @param tos TOS filter
 * @param table routing table when below 256, else 0 (RTA_TABLE carries it)
 * @param protocol RTPROT_* origin of the route, e.g. 118 for vxmesh
 * @param scope RT_SCOPE_* distance to the destination
 * @param type RTN_* route type, e.g. RTN_UNICAST
 * @param flags RTM_F_* / RTNH_F_* flags
 */
public record Rtmsg(int family, int dstLen, int srcLen, int tos, int table, int protocol, int scope, int type, int flags) {
  public static final int SIZE = 12;

  /** A request of message type {@code msgType} (RTM_*ROUTE) with this header. */
  public NlMsg request(int msgType, int msgFlags) {
    return new NlMsg(msgType, msgFlags).u8(family).u8(dstLen).u8(srcLen).u8(tos).u8(table)
        .u8(protocol).u8(scope).u8(type).u32(flags);
  }

  public static Rtmsg decode(NlMessage m) {
    return new Rtmsg(m.u8(0), m.u8(1), m.u8(2), m.u8(3), m.u8(4), m.u8(5), m.u8(6), m.u8(7), m.u32(8));
  }
}
