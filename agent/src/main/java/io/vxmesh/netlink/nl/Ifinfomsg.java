package io.vxmesh.netlink.nl;

/**
 * {@code struct ifinfomsg} (linux/rtnetlink.h, 16 bytes), the family header of RTM_*LINK.
 *
 * @param family AF_UNSPEC for requests
 * @param type ARPHRD_* device type (0 in requests)
 * @param index ifindex, 0 when the request names the device by IFLA_IFNAME
 * @param flags IFF_* device flags
 * @param change mask of the IFF_* bits a request changes
 */
public record Ifinfomsg(int family, int type, int index, int flags, int change) {
  public static final int SIZE = 16;

  /** A request of message type {@code msgType} (RTM_*LINK) with this header. */
  public NlMsg request(int msgType, int msgFlags) {
    return new NlMsg(msgType, msgFlags).u8(family).u8(0).u16(type).u32(index).u32(flags).u32(change);
  }

  public static Ifinfomsg decode(NlMessage m) {
    return new Ifinfomsg(m.u8(0), m.u16(2), m.u32(4), m.u32(8), m.u32(12));
  }
}
