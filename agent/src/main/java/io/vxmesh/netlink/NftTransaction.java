package io.vxmesh.netlink;

import io.vxmesh.netlink.nl.NetlinkSocket;
import io.vxmesh.netlink.nl.NlMsg;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nf_tables changes collected and committed as one batch (NFNL_MSG_BATCH_BEGIN … END in one
 * datagram): the kernel applies all of them or none, so a reader never sees half a filter.
 * Verbs follow {@code nft}: {@code add table}, {@code add chain}, {@code add set}, {@code add
 * rule}, {@code delete rule … handle}, {@code add element}, {@code delete element},
 * {@code delete table}.
 *
 * <pre>
 * nft.transaction().tableAdd(ip, "vxmesh").setAdd(members).elemAdd(ip, "vxmesh", "members", hosts).commit(gen);
 * </pre>
 */
public final class NftTransaction {
  private static final Logger log = LoggerFactory.getLogger(NftTransaction.class);
  static final int ELEMENTS_PER_MESSAGE = 1000;
  private final NetlinkSocket sock;
  private final List<NlMsg> ops = new ArrayList<>();
  private final List<String> described = new ArrayList<>();

  NftTransaction(NetlinkSocket sock) {
    this.sock = sock;
  }

  /** {@code nft add table FAMILY NAME} (no error when it exists). */
  public NftTransaction tableAdd(int family, String name) {
    return add(NftCodec.tableAdd(family, name), "add table " + name);
  }

  /** {@code nft delete table FAMILY NAME} (with everything in it). */
  public NftTransaction tableDel(int family, String name) {
    return add(NftCodec.tableDel(family, name), "delete table " + name);
  }

  /** {@code nft add chain FAMILY TABLE NAME '{ type T hook H priority P; policy X; }'}. */
  public NftTransaction chainAdd(NftChain c) {
    return add(NftCodec.chainAdd(c), "add chain " + c.table() + " " + c.name());
  }

  /** {@code nft delete chain FAMILY TABLE NAME}. */
  public NftTransaction chainDel(int family, String table, String name) {
    return add(NftCodec.chainDel(family, table, name), "delete chain " + table + " " + name);
  }

  /** {@code nft add set FAMILY TABLE NAME '{ type ipv4_addr; }'}. */
  public NftTransaction setAdd(NftSet s) {
    return add(NftCodec.setAdd(s), "add set " + s.table() + " " + s.name());
  }

  /** {@code nft delete set FAMILY TABLE NAME}. */
  public NftTransaction setDel(int family, String table, String name) {
    return add(NftCodec.setDel(family, table, name), "delete set " + table + " " + name);
  }

  /** {@code nft add rule FAMILY TABLE CHAIN …} (appended at the end of the chain). */
  public NftTransaction ruleAdd(NftRule r) {
    return add(NftCodec.ruleAdd(r), "add rule " + r.table() + " " + r.chain());
  }

  /** {@code nft delete rule FAMILY TABLE CHAIN handle H}. */
  public NftTransaction ruleDel(int family, String table, String chain, long handle) {
    return add(NftCodec.ruleDel(family, table, chain, handle), "delete rule " + table + " " + chain + " handle " + handle);
  }

  /** {@code nft add element FAMILY TABLE SET '{ A, B }'}; no-op when empty. */
  public NftTransaction elemAdd(int family, String table, String set, Collection<? extends InetAddress> keys) {
    for (List<InetAddress> chunk : chunks(keys)) {
      add(NftCodec.elemAdd(family, table, set, chunk), "add element " + set + " " + chunk.size());
    }
    return this;
  }

  /** {@code nft delete element FAMILY TABLE SET '{ A, B }'}; no-op when empty; every key must exist. */
  public NftTransaction elemDel(int family, String table, String set, Collection<? extends InetAddress> keys) {
    for (List<InetAddress> chunk : chunks(keys)) {
      add(NftCodec.elemDel(family, table, set, chunk), "delete element " + set + " " + chunk.size());
    }
    return this;
  }

  /**
   * Elements in messages of at most {@value #ELEMENTS_PER_MESSAGE}: the element list is one
   * nested attribute, whose length is 16 bits (64 KB; an IPv6 element takes 32 bytes).
   */
  private static List<List<InetAddress>> chunks(Collection<? extends InetAddress> keys) {
    List<List<InetAddress>> out = new ArrayList<>();
    List<InetAddress> cur = new ArrayList<>();
    for (InetAddress k : keys) {
      cur.add(k);
      if (cur.size() == ELEMENTS_PER_MESSAGE) {
        out.add(cur);
        cur = new ArrayList<>();
      }
    }
    if (!cur.isEmpty()) {
      out.add(cur);
    }
    return out;
  }

  private NftTransaction add(NlMsg m, String what) {
    ops.add(m);
    described.add(what);
    return this;
  }

  /** True when {@code e} is the kernel refusing a commit because the ruleset changed since its generation (ERESTART). */
  public static boolean isStale(NetlinkException e) {
    return e.errno() == io.vxmesh.netlink.nl.Errno.ERESTART;
  }

  /** Changes collected and not yet committed. */
  public int size() {
    return ops.size();
  }

  /** What the collected changes are, in order, as {@code nft} verbs (for logs). */
  public List<String> describe() {
    return List.copyOf(described);
  }

  /**
   * Commits every collected change as one batch and empties the transaction. With
   * {@code genId} from {@link Nftables#genId()} (0: unconditional) the kernel refuses it with
   * ERESTART when the ruleset changed in between. Throws on any failure; nothing was applied.
   */
  public void commit(int genId) {
    if (ops.isEmpty()) {
      return;
    }
    log.debug("nftables transaction ops={} {}", ops.size(), described);
    try {
      sock.transaction(ops, genId);
    } finally {
      ops.clear();
      described.clear();
    }
  }
}
