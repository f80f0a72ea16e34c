package io.vxmesh.netlink;

/**
 * {@code set NAME { type TYPE; }} in table {@code FAMILY TABLE}: {@code keyType} is nft's type
 * number (7 = ipv4_addr), {@code keyLen} the key size in bytes.
 */
public record NftSet(int family, String table, String name, int flags, int keyType, int keyLen, long handle) {
  /** nft's type {@code ipv4_addr}. */
  public static final int TYPE_IPV4_ADDR = io.vxmesh.netlink.nl.Nft.TYPE_IPV4_ADDR;
}
