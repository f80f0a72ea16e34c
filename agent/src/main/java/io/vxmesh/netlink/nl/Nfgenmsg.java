package io.vxmesh.netlink.nl;

/**
 * {@code struct nfgenmsg} (linux/netfilter/nfnetlink.h, 4 bytes), the family header of every
 * nfnetlink message: the nf_tables family ({@link Nft#NFPROTO_IPV4}, ...), the version
 * (NFNETLINK_V0) and a resource id in network order (the subsystem in batch begin/end
 * messages; the low 16 bits of the ruleset generation in replies).
 */
public record Nfgenmsg(int family, int version, int resId) {
  public static final int SIZE = 4;

  /** A request of message type {@code msgType} (e.g. {@link Nft#type(int)}) with this header. */
  public NlMsg request(int msgType, int msgFlags) {
    return new NlMsg(msgType, msgFlags).u8(family).u8(version).u8(resId >> 8).u8(resId);
  }

  public static Nfgenmsg decode(NlMessage m) {
    return new Nfgenmsg(m.u8(0), m.u8(1), m.u8(2) << 8 | m.u8(3));
  }
}
