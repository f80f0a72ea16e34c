package io.vxmesh.netlink;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.netlink.nl.NetlinkSocket;
import io.vxmesh.netlink.nl.NlMsg;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many neighbour, FDB, nexthop and route writes sent pipelined in one go, each with its own
 * result. Collect operations (the same verbs and bytes as {@link Netlink}'s), then
 * {@link #send()}:
 *
 * <pre>
 * List&lt;NetlinkBatch.Failure&gt; failed = nl.batch()
 *     .neighReplace(vtep, vtepIp, vtepMac)
 *     .fdbReplace(vtep, vtepMac, hostIp)
 *     .routeDel(oldCidr, 118, Route.TABLE_MAIN)
 *     .send();
 * </pre>
 *
 * <p>On the wire (see {@link NetlinkSocket#batch}): chunks of at most 64 KB per sendto, only
 * the last message of a chunk asks for an ack, errors come back anyway and are matched to
 * their operation by sequence number. Every operation is attempted whatever the others do;
 * deleting something already gone is success, as with the single verbs. If the kernel dropped
 * acks (receive buffer overflow, ENOBUFS) {@link #send()} throws: the outcome is unknown and
 * the caller should dump again.
 *
 * <p>Uses its {@link Netlink}'s socket: not thread-safe, one batch at a time.
 */
public final class NetlinkBatch {
  /**
   * One operation that failed.
   *
   * @param index the operation's position in the batch, counting from 0 in the order added
   * @param error the kernel's answer, e.g. {@code RTM_NEWROUTE: EINVAL (Nexthop id does not exist)}
   */
  public record Failure(int index, NetlinkException error) {}

  private static final Logger log = LoggerFactory.getLogger(NetlinkBatch.class);
  private final NetlinkSocket sock;
  private List<NlMsg> ops = new ArrayList<>();

  NetlinkBatch(NetlinkSocket sock) {
    this.sock = sock;
  }

  /** {@code ip neigh replace IP lladdr MAC dev IDX nud permanent}. */
  public NetlinkBatch neighReplace(int index, InetAddress ip, MacAddress mac) {
    return add(RtCodec.neighReplace(index, ip, mac));
  }

  /** {@code ip neigh del IP dev IDX}; absent is success. */
  public NetlinkBatch neighDel(int index, InetAddress ip) {
    return add(RtCodec.neighDel(index, ip));
  }

  /** {@code bridge fdb replace MAC dst DST dev IDX self permanent}. */
  public NetlinkBatch fdbReplace(int index, MacAddress mac, InetAddress dst) {
    return add(RtCodec.fdbReplace(index, mac, dst));
  }

  /** {@code bridge fdb del MAC [dst DST] dev IDX self}; absent is success. */
  public NetlinkBatch fdbDel(int index, MacAddress mac, InetAddress dst) {
    return add(RtCodec.fdbDel(index, mac, dst));
  }

  /** {@code ip nexthop replace id ID via GW dev IDX [onlink] proto PROTO}. */
  public NetlinkBatch nexthopReplace(Nexthop nh) {
    return add(RtCodec.nexthopReplace(nh));
  }

  /** {@code ip nexthop del id ID}; absent is success. */
  public NetlinkBatch nexthopDel(int id) {
    return add(RtCodec.nexthopDel(id));
  }

  /** {@code ip route replace DST nhid ID proto P} or {@code ip route replace DST via GW dev IDX [onlink] proto P}. */
  public NetlinkBatch routeReplace(Route r) {
    return add(RtCodec.routeReplace(r));
  }

  /** {@code ip route del DST proto P table T}; absent is success; never hits another protocol's route. */
  public NetlinkBatch routeDel(IpPrefix dst, int protocol, int table) {
    return add(RtCodec.routeDel(dst, protocol, table));
  }

  private NetlinkBatch add(NlMsg m) {
    ops.add(m);
    return this;
  }

  /** Operations collected and not yet sent. */
  public int size() {
    return ops.size();
  }

  /**
   * Sends every collected operation and empties the batch (it can be filled again). Returns
   * the failed operations in order, empty when all succeeded.
   */
  public List<Failure> send() {
    List<NlMsg> sent = ops;
    ops = new ArrayList<>();
    List<Failure> out = new ArrayList<>();
    for (NetlinkSocket.Failure f : sock.batch(sent)) {
      if (!Netlink.isGone(sent.get(f.index()).type(), f.error())) {
        out.add(new Failure(f.index(), f.error()));
      }
    }
    log.debug("netlink batch ops={} failed={}", sent.size(), out.size());
    return out;
  }
}
