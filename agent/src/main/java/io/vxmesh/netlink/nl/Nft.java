package io.vxmesh.netlink.nl;

/**
 * Numbers from linux/netfilter/nfnetlink.h, nf_tables.h and netfilter.h: what nf_tables
 * requests over NETLINK_NETFILTER are made of. Every integer attribute of nf_tables is in
 * network order ({@link NlMsg#attrBe32}, {@link NlAttrs#be32}); message types are
 * {@code NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_*} ({@link #type}).
 */
public final class Nft {
  private Nft() {}

  static final int NETLINK_NETFILTER = 12;
  public static final int SUBSYS_NFTABLES = 10;
  /** Multicast group of nf_tables change notifications (every NEW and DEL of the ruleset). */
  public static final int NFNLGRP_NFTABLES = 7;
  static final int NFNL_MSG_BATCH_BEGIN = 16;
  static final int NFNL_MSG_BATCH_END = 17;
  static final int NFNL_BATCH_GENID = 1;

  // families (nfgenmsg.nfgen_family)
  public static final int NFPROTO_INET = 1;
  public static final int NFPROTO_IPV4 = 2;
  public static final int NFPROTO_IPV6 = 10;

  // enum nf_tables_msg_types
  public static final int NFT_MSG_NEWTABLE = 0;
  public static final int NFT_MSG_GETTABLE = 1;
  public static final int NFT_MSG_DELTABLE = 2;
  public static final int NFT_MSG_NEWCHAIN = 3;
  public static final int NFT_MSG_GETCHAIN = 4;
  public static final int NFT_MSG_DELCHAIN = 5;
  public static final int NFT_MSG_NEWRULE = 6;
  public static final int NFT_MSG_GETRULE = 7;
  public static final int NFT_MSG_DELRULE = 8;
  public static final int NFT_MSG_NEWSET = 9;
  public static final int NFT_MSG_GETSET = 10;
  public static final int NFT_MSG_DELSET = 11;
  public static final int NFT_MSG_NEWSETELEM = 12;
  public static final int NFT_MSG_GETSETELEM = 13;
  public static final int NFT_MSG_DELSETELEM = 14;
  public static final int NFT_MSG_NEWGEN = 15;
  public static final int NFT_MSG_GETGEN = 16;

  // attributes: table, chain, hook, rule, set, element list, element, list, expr, data, verdict
  public static final int NFTA_TABLE_NAME = 1;
  public static final int NFTA_TABLE_FLAGS = 2;
  public static final int NFTA_TABLE_HANDLE = 4;
  public static final int NFTA_CHAIN_TABLE = 1;
  public static final int NFTA_CHAIN_HANDLE = 2;
  public static final int NFTA_CHAIN_NAME = 3;
  public static final int NFTA_CHAIN_HOOK = 4;
  public static final int NFTA_CHAIN_POLICY = 5;
  public static final int NFTA_CHAIN_TYPE = 7;
  public static final int NFTA_HOOK_HOOKNUM = 1;
  public static final int NFTA_HOOK_PRIORITY = 2;
  public static final int NFTA_RULE_TABLE = 1;
  public static final int NFTA_RULE_CHAIN = 2;
  public static final int NFTA_RULE_HANDLE = 3;
  public static final int NFTA_RULE_EXPRESSIONS = 4;
  public static final int NFTA_SET_TABLE = 1;
  public static final int NFTA_SET_NAME = 2;
  public static final int NFTA_SET_FLAGS = 3;
  public static final int NFTA_SET_KEY_TYPE = 4;
  public static final int NFTA_SET_KEY_LEN = 5;
  public static final int NFTA_SET_ID = 10;
  public static final int NFTA_SET_USERDATA = 13;
  public static final int NFTA_SET_ELEM_LIST_TABLE = 1;
  public static final int NFTA_SET_ELEM_LIST_SET = 2;
  public static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
  public static final int NFTA_SET_ELEM_KEY = 1;
  public static final int NFTA_LIST_ELEM = 1;
  public static final int NFTA_EXPR_NAME = 1;
  public static final int NFTA_EXPR_DATA = 2;
  public static final int NFTA_DATA_VALUE = 1;
  public static final int NFTA_DATA_VERDICT = 2;
  public static final int NFTA_VERDICT_CODE = 1;
  public static final int NFTA_GEN_ID = 1;

  // expression attributes
  public static final int NFTA_META_DREG = 1;
  public static final int NFTA_META_KEY = 2;
  public static final int NFTA_CMP_SREG = 1;
  public static final int NFTA_CMP_OP = 2;
  public static final int NFTA_CMP_DATA = 3;
  public static final int NFTA_PAYLOAD_DREG = 1;
  public static final int NFTA_PAYLOAD_BASE = 2;
  public static final int NFTA_PAYLOAD_OFFSET = 3;
  public static final int NFTA_PAYLOAD_LEN = 4;
  public static final int NFTA_LOOKUP_SET = 1;
  public static final int NFTA_LOOKUP_SREG = 2;
  public static final int NFTA_LOOKUP_SET_ID = 4;
  public static final int NFTA_LOOKUP_FLAGS = 5;
  public static final int NFTA_COUNTER_BYTES = 1;
  public static final int NFTA_COUNTER_PACKETS = 2;
  public static final int NFTA_IMMEDIATE_DREG = 1;
  public static final int NFTA_IMMEDIATE_DATA = 2;

  // values
  public static final int NFT_REG_VERDICT = 0;
  public static final int NFT_REG_1 = 1;
  public static final int NFT_META_L4PROTO = 16;
  public static final int NFT_CMP_EQ = 0;
  public static final int NFT_PAYLOAD_NETWORK_HEADER = 1;
  public static final int NFT_PAYLOAD_TRANSPORT_HEADER = 2;
  public static final int NFT_LOOKUP_F_INV = 1;
  public static final int NF_DROP = 0;
  public static final int NF_ACCEPT = 1;
  public static final int NF_INET_LOCAL_IN = 1;
  /** nft's data type number for {@code ipv4_addr} (NFTA_SET_KEY_TYPE; informational for the kernel). */
  public static final int TYPE_IPV4_ADDR = 7;

  /** The netlink message type of an nf_tables message, e.g. NFT_MSG_NEWRULE → 0x0a06. */
  public static int type(int nftMsg) {
    return SUBSYS_NFTABLES << 8 | nftMsg;
  }

  /** The NFT_MSG_* part of a message type. */
  public static int msg(int type) {
    return type & 0xff;
  }

  /** Name of an nf_tables message type for error messages, e.g. 0x0a06 → {@code NFT_MSG_NEWRULE}. */
  public static String typeName(int type) {
    String[] names = {"NEWTABLE", "GETTABLE", "DELTABLE", "NEWCHAIN", "GETCHAIN", "DELCHAIN", "NEWRULE", "GETRULE",
        "DELRULE", "NEWSET", "GETSET", "DELSET", "NEWSETELEM", "GETSETELEM", "DELSETELEM", "NEWGEN", "GETGEN"};
    int m = msg(type);
    return (type >> 8) == SUBSYS_NFTABLES && m < names.length ? "NFT_MSG_" + names[m] : "NFNL_" + type;
  }
}
