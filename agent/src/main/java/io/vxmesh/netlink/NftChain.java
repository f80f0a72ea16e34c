package io.vxmesh.netlink;

/**
 * {@code chain NAME { type TYPE hook HOOK priority PRIORITY; policy POLICY; }} in table
 * {@code FAMILY TABLE}. A regular (non-base) chain has hook -1 and type null.
 *
 * @param hook NF_INET_* hook number (1 = input)
 * @param policy NF_DROP (0) or NF_ACCEPT (1)
 */
public record NftChain(int family, String table, String name, String type, int hook, int priority, int policy,
    long handle) {
  /** Hook {@code input} (NF_INET_LOCAL_IN). */
  public static final int HOOK_INPUT = io.vxmesh.netlink.nl.Nft.NF_INET_LOCAL_IN;
  /** Policy {@code accept}. */
  public static final int POLICY_ACCEPT = io.vxmesh.netlink.nl.Nft.NF_ACCEPT;
}
