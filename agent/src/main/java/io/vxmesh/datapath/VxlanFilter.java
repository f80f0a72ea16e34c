package io.vxmesh.datapath;

import io.vxmesh.netlink.NetlinkException;
import io.vxmesh.netlink.NftChain;
import io.vxmesh.netlink.NftExpr;
import io.vxmesh.netlink.NftMonitor;
import io.vxmesh.netlink.NftRule;
import io.vxmesh.netlink.NftSet;
import io.vxmesh.netlink.NftTable;
import io.vxmesh.netlink.NftTransaction;
import io.vxmesh.netlink.Nftables;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VXLAN only from members: an nf_tables table that vxmesh owns, written over netlink, so that
 * the VTEP ports accept VXLAN only from the underlay addresses of programmed members.
 * Equivalent to:
 *
 * <pre>
 * table ip vxmesh {
 *   set members { type ipv4_addr; elements = { 10.211.55.6, ... } }
 *   chain input {
 *     type filter hook input priority filter; policy accept;
 *     udp dport 4789 ip saddr != &#64;members counter drop      # one rule per VTEP port
 *   }
 * }
 * </pre>
 *
 * <p>Why {@code ip} and not {@code inet}: a vxmesh underlay is IPv4 (a VTEP with an IPv4
 * {@code local} opens only an IPv4 UDP socket, so IPv6 VXLAN never reaches it), and an
 * {@code ip} table needs no {@code meta nfproto} guard. Why the input hook: the VXLAN socket
 * decapsulates in {@code udp_rcv}, after LOCAL_IN; a drop in any base chain is final, so an
 * accept elsewhere cannot undo it. Packets to the port are filtered whatever their VNI (the
 * kernel shares one socket per port).
 *
 * <p>Level-triggered like {@link Datapath}: every {@link #converge} reads the table (at one
 * ruleset generation), diffs it ({@link FilterDiff}) and commits only the difference as one
 * transaction bound to that generation (a concurrent change makes the kernel refuse it with
 * ERESTART; it is re-read and retried). Membership changes are element additions and
 * deletions; nothing else of the table is rewritten unless it drifted. Only this table is ever
 * read or written: foreign tables and rules, even on the same hook, are never touched. It stays
 * when the agent stops (hitless restart); {@code vxmesh leave} empties the set like it removes
 * the peers' routes, and the table stays like the VTEP device.
 *
 * <p>Thread-safe: calls are serialised (one netlink socket).
 */
public final class VxlanFilter implements AutoCloseable {
  public static final int FAMILY = NftTable.FAMILY_IP;
  public static final String TABLE = "vxmesh";
  public static final String CHAIN = "input";
  public static final String SET = "members";
  private static final int COMMIT_ATTEMPTS = 5;
  private static final Logger log = LoggerFactory.getLogger(VxlanFilter.class);

  private final Nftables nft;
  private final String netns;

  private VxlanFilter(Nftables nft, String netns) {
    this.nft = nft;
    this.netns = netns;
  }

  /** In the current network namespace (the agent). */
  public static VxlanFilter open() {
    return new VxlanFilter(Nftables.open(), null);
  }

  /** Inside {@code /var/run/netns/NAME} (tests). */
  public static VxlanFilter openIn(String netns) {
    return new VxlanFilter(Nftables.openIn(netns), netns);
  }

  /** {@code type filter hook input priority filter; policy accept;}. */
  public static NftChain chain() {
    return new NftChain(FAMILY, TABLE, CHAIN, "filter", NftChain.HOOK_INPUT, 0, NftChain.POLICY_ACCEPT, 0);
  }

  /** {@code set members { type ipv4_addr; }}. */
  public static NftSet set() {
    return new NftSet(FAMILY, TABLE, SET, 0, NftSet.TYPE_IPV4_ADDR, 4, 0);
  }

  /**
   * {@code udp dport PORT ip saddr != @members counter drop}, expression by expression as
   * {@code nft --debug=netlink} shows it: l4proto == 17, transport header +2 (2 bytes) ==
   * PORT, network header +12 (4 bytes, the source address) not in the set, counter, drop.
   */
  public static NftRule rule(int port) {
    return new NftRule(FAMILY, TABLE, CHAIN, 0, List.of(
        new NftExpr.Meta(NftExpr.META_L4PROTO, NftExpr.REG_1),
        NftExpr.Cmp.eq(NftExpr.REG_1, new byte[] {17}),
        new NftExpr.Payload(NftExpr.TRANSPORT_HEADER, 2, 2, NftExpr.REG_1),
        NftExpr.Cmp.eq(NftExpr.REG_1, new byte[] {(byte) (port >> 8), (byte) port}),
        new NftExpr.Payload(NftExpr.NETWORK_HEADER, 12, 4, NftExpr.REG_1),
        new NftExpr.Lookup(SET, NftExpr.REG_1, NftExpr.LOOKUP_INV),
        new NftExpr.Counter(0, 0),
        new NftExpr.Verdict(NftExpr.DROP)));
  }

  /** What the kernel holds of the table now. */
  public synchronized FilterState dump() {
    int gen = nft.genId();
    if (nft.table(FAMILY, TABLE).isEmpty()) {
      return FilterState.absent(gen);
    }
    NftChain chain = nft.chain(FAMILY, TABLE, CHAIN).orElse(null);
    NftSet set = nft.set(FAMILY, TABLE, SET).orElse(null);
    List<NftRule> rules = chain == null ? List.of() : nft.ruleList(FAMILY, TABLE, CHAIN);
    Set<Inet4Address> members = new HashSet<>();
    if (set != null) {
      for (InetAddress a : nft.elemList(FAMILY, TABLE, SET)) {
        if (a instanceof Inet4Address v4) {
          members.add(v4);
        }
      }
    }
    return new FilterState(gen, true, chain, set, rules, members);
  }

  /**
   * Makes the table filter {@code ports} and hold exactly {@code members} (with
   * {@code allowRemove=false}, before the first complete view, members are only added).
   * Returns the plan that was applied (empty when nothing had to change) and the state it was
   * computed from (its counters). Throws a {@link NetlinkException} when the kernel refused
   * the transaction; nothing was changed then.
   */
  public synchronized Applied converge(Set<Integer> ports, Set<Inet4Address> members, boolean allowRemove) {
    for (int attempt = 1; ; attempt++) {
      FilterState k = dump();
      FilterDiff.Plan plan = FilterDiff.compute(k, ports, members, allowRemove);
      if (plan.empty()) {
        return new Applied(plan, k);
      }
      NftTransaction tx = nft.transaction();
      plan.addTo(tx);
      try {
        tx.commit(k.genId());
        return new Applied(plan, k);
      } catch (NetlinkException e) {
        if (!NftTransaction.isStale(e) || attempt >= COMMIT_ATTEMPTS) {
          throw e;
        }
        log.debug("vxlan filter: ruleset changed while planning, re-reading attempt={}", attempt);
      }
    }
  }

  /** What one converge applied, and the state (with counters) it started from. */
  public record Applied(FilterDiff.Plan plan, FilterState before) {}

  /**
   * Calls {@code wake} (on a monitor thread) whenever anything in table {@code ip vxmesh}
   * changes, incl. vxmesh's own writes, or notifications were lost. Close to stop.
   */
  public AutoCloseable watch(Runnable wake) {
    java.util.function.Consumer<String> filter = table -> {
      if (NftMonitor.OVERRUN.equals(table) || TABLE.equals(table)) {
        wake.run();
      }
    };
    return netns == null ? NftMonitor.start(filter) : NftMonitor.startIn(netns, filter);
  }

  @Override
  public synchronized void close() {
    nft.close();
  }
}
