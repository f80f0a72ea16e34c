package io.vxmesh.netlink;

/** {@code nft list table FAMILY NAME} (family {@code NFPROTO_*}, e.g. 2 = ip). */
public record NftTable(int family, String name, int flags, long handle) {}
