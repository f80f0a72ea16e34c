package io.vxmesh.netlink;

/** {@code nft list table FAMILY NAME} (family {@code NFPROTO_*}, e.g. 2 = ip). */
public record NftTable(int family, String name, int flags, long handle) {
  /** Family {@code ip} (NFPROTO_IPV4). */
  public static final int FAMILY_IP = io.vxmesh.netlink.nl.Nft.NFPROTO_IPV4;
}
