package io.vxmesh.netlink;

import static io.vxmesh.netlink.nl.Nft.*;

import io.vxmesh.netlink.nl.Nfgenmsg;
import io.vxmesh.netlink.nl.NlAttrs;
import io.vxmesh.netlink.nl.NlMessage;
import io.vxmesh.netlink.nl.NlMsg;
import io.vxmesh.netlink.nl.Rtnl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * nf_tables objects to requests and messages to objects (package-private, like {@link RtCodec}):
 * which attributes each verb of {@link Nftables} and {@link NftTransaction} sends, in the byte
 * layout {@code nft --debug=mnl} shows for the same command. Every integer is big-endian.
 */
final class NftCodec {
  /** NFTA_SET_ID / NFTA_LOOKUP_SET_ID: names a set created earlier in the same transaction. */
  static final int SET_ID = 1;
  /**
   * nft's own set userdata (NFTNL_UDATA_SET_KEYBYTEORDER = 2, big-endian): without it {@code nft
   * list} still shows {@code type ipv4_addr}; with it the set reads back exactly as nft writes it.
   */
  private static final byte[] SET_USERDATA = {0, 4, 2, 0, 0, 0};

  private NftCodec() {}

  private static NlMsg msg(int nftMsg, int family, int flags) {
    return new Nfgenmsg(family, 0, 0).request(type(nftMsg), flags);
  }

  static NlMsg genGet() {
    return msg(NFT_MSG_GETGEN, Rtnl.AF_UNSPEC, 0);
  }

  static NlMsg tableGet(int family, String name) {
    return msg(NFT_MSG_GETTABLE, family, 0).attrString(NFTA_TABLE_NAME, name);
  }

  static NlMsg tableDump(int family) {
    return msg(NFT_MSG_GETTABLE, family, 0);
  }

  static NlMsg tableAdd(int family, String name) {
    return msg(NFT_MSG_NEWTABLE, family, Rtnl.NLM_F_CREATE).attrString(NFTA_TABLE_NAME, name).attrBe32(NFTA_TABLE_FLAGS, 0);
  }

  static NlMsg tableDel(int family, String name) {
    return msg(NFT_MSG_DELTABLE, family, 0).attrString(NFTA_TABLE_NAME, name);
  }

  static NlMsg chainGet(int family, String table, String name) {
    return msg(NFT_MSG_GETCHAIN, family, 0).attrString(NFTA_CHAIN_TABLE, table).attrString(NFTA_CHAIN_NAME, name);
  }

  /** A base chain (hook ≥ 0): table, name, hook {num, priority}, policy, type. */
  static NlMsg chainAdd(NftChain c) {
    NlMsg m = msg(NFT_MSG_NEWCHAIN, c.family(), Rtnl.NLM_F_CREATE)
        .attrString(NFTA_CHAIN_TABLE, c.table()).attrString(NFTA_CHAIN_NAME, c.name());
    if (c.hook() >= 0) {
      m.attrString(NFTA_CHAIN_TYPE, c.type()).attrBe32(NFTA_CHAIN_POLICY, c.policy());
      int h = m.nestStart(NFTA_CHAIN_HOOK);
      m.attrBe32(NFTA_HOOK_HOOKNUM, c.hook()).attrBe32(NFTA_HOOK_PRIORITY, c.priority());
      m.nestEnd(h);
    }
    return m;
  }

  static NlMsg chainDel(int family, String table, String name) {
    return msg(NFT_MSG_DELCHAIN, family, 0).attrString(NFTA_CHAIN_TABLE, table).attrString(NFTA_CHAIN_NAME, name);
  }

  static NlMsg setGet(int family, String table, String name) {
    return msg(NFT_MSG_GETSET, family, 0).attrString(NFTA_SET_TABLE, table).attrString(NFTA_SET_NAME, name);
  }

  static NlMsg setAdd(NftSet s) {
    return msg(NFT_MSG_NEWSET, s.family(), Rtnl.NLM_F_CREATE)
        .attrString(NFTA_SET_TABLE, s.table()).attrString(NFTA_SET_NAME, s.name())
        .attrBe32(NFTA_SET_FLAGS, s.flags()).attrBe32(NFTA_SET_KEY_TYPE, s.keyType()).attrBe32(NFTA_SET_KEY_LEN, s.keyLen())
        .attrBe32(NFTA_SET_ID, SET_ID).attr(NFTA_SET_USERDATA, SET_USERDATA);
  }

  static NlMsg setDel(int family, String table, String name) {
    return msg(NFT_MSG_DELSET, family, 0).attrString(NFTA_SET_TABLE, table).attrString(NFTA_SET_NAME, name);
  }

  static NlMsg ruleDump(int family, String table, String chain) {
    return msg(NFT_MSG_GETRULE, family, 0).attrString(NFTA_RULE_TABLE, table).attrString(NFTA_RULE_CHAIN, chain);
  }

  /** Appends the rule at the end of its chain ({@code nft add rule}). */
  static NlMsg ruleAdd(NftRule r) {
    NlMsg m = msg(NFT_MSG_NEWRULE, r.family(), Rtnl.NLM_F_CREATE | Rtnl.NLM_F_APPEND)
        .attrString(NFTA_RULE_TABLE, r.table()).attrString(NFTA_RULE_CHAIN, r.chain());
    int list = m.nestStart(NFTA_RULE_EXPRESSIONS);
    for (NftExpr e : r.exprs()) {
      int elem = m.nestStart(NFTA_LIST_ELEM);
      expr(m, e);
      m.nestEnd(elem);
    }
    m.nestEnd(list);
    return m;
  }

  static NlMsg ruleDel(int family, String table, String chain, long handle) {
    return msg(NFT_MSG_DELRULE, family, 0).attrString(NFTA_RULE_TABLE, table).attrString(NFTA_RULE_CHAIN, chain)
        .attrBe64(NFTA_RULE_HANDLE, handle);
  }

  private static void expr(NlMsg m, NftExpr e) {
    m.attrString(NFTA_EXPR_NAME, exprName(e));
    int dataStart = m.nestStart(NFTA_EXPR_DATA);
    if (e instanceof NftExpr.Meta x) {
      m.attrBe32(NFTA_META_KEY, x.key()).attrBe32(NFTA_META_DREG, x.dreg());
    } else if (e instanceof NftExpr.Cmp x) {
      m.attrBe32(NFTA_CMP_SREG, x.sreg()).attrBe32(NFTA_CMP_OP, x.op());
      int v = m.nestStart(NFTA_CMP_DATA);
      m.attr(NFTA_DATA_VALUE, HexFormat.of().parseHex(x.data()));
      m.nestEnd(v);
    } else if (e instanceof NftExpr.Payload x) {
      m.attrBe32(NFTA_PAYLOAD_DREG, x.dreg()).attrBe32(NFTA_PAYLOAD_BASE, x.base())
          .attrBe32(NFTA_PAYLOAD_OFFSET, x.offset()).attrBe32(NFTA_PAYLOAD_LEN, x.len());
    } else if (e instanceof NftExpr.Lookup x) {
      m.attrBe32(NFTA_LOOKUP_SREG, x.sreg()).attrString(NFTA_LOOKUP_SET, x.set())
          .attrBe32(NFTA_LOOKUP_SET_ID, SET_ID).attrBe32(NFTA_LOOKUP_FLAGS, x.flags());
    } else if (e instanceof NftExpr.Counter) {
      // no attributes: fresh counters start at zero
    } else if (e instanceof NftExpr.Verdict x) {
      m.attrBe32(NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
      int data = m.nestStart(NFTA_IMMEDIATE_DATA);
      int verdict = m.nestStart(NFTA_DATA_VERDICT);
      m.attrBe32(NFTA_VERDICT_CODE, x.code());
      m.nestEnd(verdict);
      m.nestEnd(data);
    } else {
      throw new IllegalArgumentException("cannot write expression " + e);
    }
    m.nestEnd(dataStart);
  }

  /** The kernel's name of an expression kind (NFTA_EXPR_NAME). */
  static String exprName(NftExpr e) {
    if (e instanceof NftExpr.Meta) {
      return "meta";
    } else if (e instanceof NftExpr.Cmp) {
      return "cmp";
    } else if (e instanceof NftExpr.Payload) {
      return "payload";
    } else if (e instanceof NftExpr.Lookup) {
      return "lookup";
    } else if (e instanceof NftExpr.Counter) {
      return "counter";
    } else if (e instanceof NftExpr.Verdict) {
      return "immediate";
    }
    throw new IllegalArgumentException("cannot write expression " + e);
  }

  static NlMsg elemDump(int family, String table, String set) {
    return msg(NFT_MSG_GETSETELEM, family, 0).attrString(NFTA_SET_ELEM_LIST_TABLE, table)
        .attrString(NFTA_SET_ELEM_LIST_SET, set);
  }

  /** {@code nft add element} (flags NLM_F_CREATE: adding an element already there is fine). */
  static NlMsg elemAdd(int family, String table, String set, Collection<? extends InetAddress> keys) {
    return elems(NFT_MSG_NEWSETELEM, Rtnl.NLM_F_CREATE, family, table, set, keys);
  }

  /** {@code nft delete element}: ENOENT when one is missing (and the whole transaction is refused). */
  static NlMsg elemDel(int family, String table, String set, Collection<? extends InetAddress> keys) {
    return elems(NFT_MSG_DELSETELEM, 0, family, table, set, keys);
  }

  private static NlMsg elems(int nftMsg, int flags, int family, String table, String set,
      Collection<? extends InetAddress> keys) {
    NlMsg m = msg(nftMsg, family, flags).attrString(NFTA_SET_ELEM_LIST_TABLE, table)
        .attrString(NFTA_SET_ELEM_LIST_SET, set);
    int list = m.nestStart(NFTA_SET_ELEM_LIST_ELEMENTS);
    for (InetAddress k : keys) {
      int elem = m.nestStart(NFTA_LIST_ELEM);
      int key = m.nestStart(NFTA_SET_ELEM_KEY);
      m.attr(NFTA_DATA_VALUE, k.getAddress());
      m.nestEnd(key);
      m.nestEnd(elem);
    }
    m.nestEnd(list);
    return m;
  }

  // ---- decoding ----

  private static NlAttrs attrs(NlMessage m) {
    return m.attrs(Nfgenmsg.SIZE);
  }

  static int family(NlMessage m) {
    return Nfgenmsg.decode(m).family();
  }

  static int genId(NlMessage m) {
    return attrs(m).be32(NFTA_GEN_ID, 0);
  }

  static NftTable table(NlMessage m) {
    NlAttrs a = attrs(m);
    return new NftTable(family(m), a.string(NFTA_TABLE_NAME), a.be32(NFTA_TABLE_FLAGS, 0), a.be64(NFTA_TABLE_HANDLE, 0));
  }

  static NftChain chain(NlMessage m) {
    NlAttrs a = attrs(m);
    NlAttrs hook = a.nested(NFTA_CHAIN_HOOK);
    boolean base = a.has(NFTA_CHAIN_HOOK);
    return new NftChain(family(m), a.string(NFTA_CHAIN_TABLE), a.string(NFTA_CHAIN_NAME),
        base ? a.string(NFTA_CHAIN_TYPE) : null, base ? hook.be32(NFTA_HOOK_HOOKNUM, -1) : -1,
        base ? hook.be32(NFTA_HOOK_PRIORITY, 0) : 0, base ? a.be32(NFTA_CHAIN_POLICY, NF_ACCEPT) : NF_ACCEPT,
        a.be64(NFTA_CHAIN_HANDLE, 0));
  }

  static NftSet set(NlMessage m) {
    NlAttrs a = attrs(m);
    return new NftSet(family(m), a.string(NFTA_SET_TABLE), a.string(NFTA_SET_NAME), a.be32(NFTA_SET_FLAGS, 0),
        a.be32(NFTA_SET_KEY_TYPE, 0), a.be32(NFTA_SET_KEY_LEN, 0), 0);
  }

  static NftRule rule(NlMessage m) {
    NlAttrs a = attrs(m);
    List<NftExpr> exprs = new ArrayList<>();
    for (NlAttrs e : a.nested(NFTA_RULE_EXPRESSIONS).nestedAll(NFTA_LIST_ELEM)) {
      exprs.add(expr(e.string(NFTA_EXPR_NAME), e.nested(NFTA_EXPR_DATA)));
    }
    return new NftRule(family(m), a.string(NFTA_RULE_TABLE), a.string(NFTA_RULE_CHAIN), a.be64(NFTA_RULE_HANDLE, 0), exprs);
  }

  static NftExpr expr(String name, NlAttrs d) {
    return switch (name == null ? "" : name) {
      case "meta" -> new NftExpr.Meta(d.be32(NFTA_META_KEY, -1), d.be32(NFTA_META_DREG, -1));
      case "cmp" -> {
        byte[] v = d.nested(NFTA_CMP_DATA).bytes(NFTA_DATA_VALUE);
        yield new NftExpr.Cmp(d.be32(NFTA_CMP_SREG, -1), d.be32(NFTA_CMP_OP, -1), v == null ? "" : HexFormat.of().formatHex(v));
      }
      case "payload" -> new NftExpr.Payload(d.be32(NFTA_PAYLOAD_BASE, -1), d.be32(NFTA_PAYLOAD_OFFSET, -1),
          d.be32(NFTA_PAYLOAD_LEN, -1), d.be32(NFTA_PAYLOAD_DREG, -1));
      case "lookup" -> new NftExpr.Lookup(d.string(NFTA_LOOKUP_SET), d.be32(NFTA_LOOKUP_SREG, -1), d.be32(NFTA_LOOKUP_FLAGS, 0));
      case "counter" -> new NftExpr.Counter(d.be64(NFTA_COUNTER_PACKETS, 0), d.be64(NFTA_COUNTER_BYTES, 0));
      case "immediate" -> d.be32(NFTA_IMMEDIATE_DREG, -1) == NFT_REG_VERDICT && d.nested(NFTA_IMMEDIATE_DATA).has(NFTA_DATA_VERDICT)
          ? new NftExpr.Verdict(d.nested(NFTA_IMMEDIATE_DATA).nested(NFTA_DATA_VERDICT).be32(NFTA_VERDICT_CODE, -1))
          : new NftExpr.Other("immediate");
      default -> new NftExpr.Other(name);
    };
  }

  /** The keys of one NEWSETELEM message (a dump reply may hold many), as addresses. */
  static List<InetAddress> elems(NlMessage m) {
    List<InetAddress> out = new ArrayList<>();
    for (NlAttrs e : attrs(m).nested(NFTA_SET_ELEM_LIST_ELEMENTS).nestedAll(NFTA_LIST_ELEM)) {
      byte[] k = e.nested(NFTA_SET_ELEM_KEY).bytes(NFTA_DATA_VALUE);
      if (k != null && (k.length == 4 || k.length == 16)) {
        try {
          out.add(InetAddress.getByAddress(k));
        } catch (UnknownHostException impossible) {
          // 4 or 16 bytes are always an address
        }
      }
    }
    return out;
  }

  /** The table a notification is about (attribute 1 of every table/chain/rule/set/element message), or null. */
  static String tableOf(NlMessage m) {
    int msg = (m.type() >> 8) == SUBSYS_NFTABLES ? io.vxmesh.netlink.nl.Nft.msg(m.type()) : -1;
    return msg >= NFT_MSG_NEWTABLE && msg <= NFT_MSG_DELSETELEM ? attrs(m).string(1) : null;
  }

}
