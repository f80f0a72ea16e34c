package io.vxmesh.netlink.nl;

/**
 * {@code struct ifaddrmsg} (linux/if_addr.h, 8 bytes), the family header of RTM_*ADDR.
 *
 * @param family AF_INET or AF_INET6
 * @param prefixLen prefix length of the address
 * @param flags IFA_F_* flags
 * @param scope RT_SCOPE_* scope
 * @param index ifindex of the device
 */
public record Ifaddrmsg(int family, int prefixLen, int flags, int scope, int index) {
  public static final int SIZE = 8;

  /** A request of message type {@code msgType} (RTM_*ADDR) with this header. */
  public NlMsg request(int msgType, int msgFlags) {
    return new NlMsg(msgType, msgFlags).u8(family).u8(prefixLen).u8(flags).u8(scope).u32(index);
  }

  public static Ifaddrmsg decode(NlMessage m) {
    return new Ifaddrmsg(m.u8(0), m.u8(1), m.u8(2), m.u8(3), m.u32(4));
  }
}
