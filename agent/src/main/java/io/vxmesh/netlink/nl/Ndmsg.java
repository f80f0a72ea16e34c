package io.vxmesh.netlink.nl;

/**
 * {@code struct ndmsg} (linux/neighbour.h, 12 bytes), the family header of RTM_*NEIGH: AF_INET
 * for neighbour (ARP) entries, AF_BRIDGE for FDB entries.
 *
 * @param family AF_INET, AF_INET6 or AF_BRIDGE
 * @param index ifindex of the device
 * @param state NUD_* state bits
 * @param flags NTF_* flags
 * @param type RTN_* type (0 in requests)
 */
public record Ndmsg(int family, int index, int state, int flags, int type) {
  public static final int SIZE = 12;

  /** A request of message type {@code msgType} (RTM_*NEIGH) with this header. */
  public NlMsg request(int msgType, int msgFlags) {
    return new NlMsg(msgType, msgFlags).u8(family).u8(0).u16(0).u32(index).u16(state).u8(flags).u8(type);
  }

  public static Ndmsg decode(NlMessage m) {
    return new Ndmsg(m.u8(0), m.u32(4), m.u16(8), m.u8(10), m.u8(11));
  }
}
