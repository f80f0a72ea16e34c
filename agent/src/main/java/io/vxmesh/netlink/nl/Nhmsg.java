package io.vxmesh.netlink.nl;

/**
 * {@code struct nhmsg} (linux/nexthop.h, 8 bytes), the family header of RTM_*NEXTHOP.
 *
 * @param family AF_INET or AF_INET6 for a nexthop with a gateway, AF_UNSPEC for deletes and dumps
 * @param scope RT_SCOPE_* (0 in requests: the kernel derives it)
 * @param protocol RTPROT_* origin, e.g. 118 for vxmesh
 * @param flags RTNH_F_* flags, e.g. RTNH_F_ONLINK
 */
public record Nhmsg(int family, int scope, int protocol, int flags) {
  public static final int SIZE = 8;

  /** A request of message type {@code msgType} (RTM_*NEXTHOP) with this header. */
  public NlMsg request(int msgType, int msgFlags) {
    return new NlMsg(msgType, msgFlags).u8(family).u8(scope).u8(protocol).u8(0).u32(flags);
  }

  public static Nhmsg decode(NlMessage m) {
    return new Nhmsg(m.u8(0), m.u8(1), m.u8(2), m.u32(4));
  }
}
