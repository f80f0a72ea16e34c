package io.vxmesh.netlink;

import io.vxmesh.netlink.nl.Errno;
import io.vxmesh.netlink.nl.NetlinkSocket;
import io.vxmesh.netlink.nl.Nft;
import io.vxmesh.netlink.nl.NlMessage;
import io.vxmesh.netlink.nl.NlMsg;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nf_tables over NETLINK_NETFILTER, the reading half named after {@code nft}: {@link #genId}
 * ({@code nft list ruleset} reads it first), {@link #table}, {@link #tableList}, {@link #chain},
 * {@link #set}, {@link #ruleList}, {@link #elemList}. Every write goes through a
 * {@link #transaction()}: nf_tables only accepts changes in batches, applied all or nothing.
 * One instance owns one socket and is not thread-safe. Failures are {@link NetlinkException}s
 * ({@code NFT_MSG_GETTABLE ip vxmesh: EPERM}).
 */
public final class Nftables implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Nftables.class);
  private final NetlinkSocket sock;

  private Nftables(NetlinkSocket sock) {
    this.sock = sock;
  }

  /** A netfilter socket in the current network namespace. */
  public static Nftables open() {
    return new Nftables(NetlinkSocket.openNetfilter());
  }

  /** A netfilter socket inside {@code /var/run/netns/NAME}. */
  public static Nftables openIn(String netns) {
    return new Nftables(NetlinkSocket.openNetfilterIn(netns));
  }

  /** The ruleset generation: pass it to {@link NftTransaction#commit(int)} to refuse a commit over a changed ruleset. */
  public int genId() {
    return sock.request(NftCodec.genGet()).stream().findFirst().map(NftCodec::genId)
        .orElseThrow(() -> new NetlinkException("NFT_MSG_GETGEN", Errno.ENODATA, "no generation in the reply"));
  }

  /** {@code nft list table FAMILY NAME}; empty when there is no such table. */
  public Optional<NftTable> table(int family, String name) {
    return get(NftCodec.tableGet(family, name), NftCodec::table, name);
  }

  /** {@code nft list tables FAMILY} (0: every family). */
  public List<NftTable> tableList(int family) {
    List<NftTable> out = new ArrayList<>();
    sock.dump(NftCodec.tableDump(family)).forEach(m -> out.add(NftCodec.table(m)));
    return out;
  }

  /** {@code nft list chain FAMILY TABLE NAME}; empty when the table or chain does not exist. */
  public Optional<NftChain> chain(int family, String table, String name) {
    return get(NftCodec.chainGet(family, table, name), NftCodec::chain, table + " " + name);
  }

  /** {@code nft list set FAMILY TABLE NAME} (without elements: {@link #elemList}); empty when absent. */
  public Optional<NftSet> set(int family, String table, String name) {
    return get(NftCodec.setGet(family, table, name), NftCodec::set, table + " " + name);
  }

  /** The rules of one chain in order, with handles and counters ({@code nft -a list chain}); empty when absent. */
  public List<NftRule> ruleList(int family, String table, String chain) {
    List<NftRule> out = new ArrayList<>();
    for (NlMessage m : dumpOrEmpty(NftCodec.ruleDump(family, table, chain))) {
      NftRule r = NftCodec.rule(m);
      if (table.equals(r.table()) && chain.equals(r.chain()) && r.family() == family) {
        out.add(r); // older kernels ignore the dump filter
      }
    }
    return out;
  }

  /** The elements of a set of addresses ({@code nft list set}); empty when the set does not exist. */
  public List<InetAddress> elemList(int family, String table, String set) {
    List<InetAddress> out = new ArrayList<>();
    dumpOrEmpty(NftCodec.elemDump(family, table, set)).forEach(m -> out.addAll(NftCodec.elems(m)));
    return out;
  }

  /** An empty transaction on this socket: collect changes, then {@link NftTransaction#commit}. */
  public NftTransaction transaction() {
    return new NftTransaction(sock);
  }

  private <T> Optional<T> get(NlMsg m, Function<NlMessage, T> decode, String what) {
    try {
      return sock.request(m).stream().findFirst().map(decode);
    } catch (NetlinkException e) {
      if (e.errno() == Errno.ENOENT) {
        return Optional.empty();
      }
      throw e.withOperation(Nft.typeName(m.type()) + " " + what);
    }
  }

  private List<NlMessage> dumpOrEmpty(NlMsg m) {
    try {
      return sock.dump(m);
    } catch (NetlinkException e) {
      if (e.errno() == Errno.ENOENT) {
        log.debug("nftables dump of a missing object op={}", Nft.typeName(m.type()));
        return List.of();
      }
      throw e;
    }
  }

  @Override
  public void close() {
    sock.close();
  }
}
