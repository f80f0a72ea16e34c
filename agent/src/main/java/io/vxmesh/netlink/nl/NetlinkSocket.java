package io.vxmesh.netlink.nl;

import io.vxmesh.netlink.NetlinkException;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AF_NETLINK socket (NETLINK_ROUTE, or NETLINK_NETFILTER for nf_tables) with request/ack,
 * dump, pipelined batch and nf_tables transaction exchanges of {@link NlMsg}s; sequence numbers, acks and ext-ack texts are handled here. Failures are
 * {@link NetlinkException}s, the object layer's one error type (the only thing this package
 * takes from the package above). Not thread-safe: one socket per thread of use (the monitor
 * has its own).
 *
 * <p>Limits it is built around (FACTS.md): the default receive buffer holds only ~256 acks, so
 * the socket forces a 4 MB receive buffer (SO_RCVBUFFORCE) and a batch asks for an ack only on
 * the last message of each chunk (failures are reported by the kernel anyway, with their
 * sequence number); one sendto must fit the send buffer, so chunks are at most 64 KB; dump
 * replies are read into a 1 MB buffer (below 32 KB the kernel silently truncates); a dump that
 * comes back with NLM_F_DUMP_INTR (the table changed under it) is retried; acks are capped
 * (NETLINK_CAP_ACK) and carry the kernel's extended-ack text (NETLINK_EXT_ACK).
 */
public final class NetlinkSocket implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NetlinkSocket.class);
  private static final int RECV_BUFFER = 1 << 20;
  private static final int CHUNK_BYTES = 64 * 1024;
  private static final int RCVBUF = 4 << 20;
  private static final int SNDBUF = 1 << 20;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int O_RDONLY_CLOEXEC = 0x80000;
  private static final int DUMP_ATTEMPTS = 10;

  private final int fd;
  private final Pointer rx = Sys.alloc(RECV_BUFFER);
  private Pointer tx = Sys.alloc(CHUNK_BYTES * 2);
  private int seq = (int) (System.nanoTime() & 0x3fffffff);
  private volatile boolean closed;

  private NetlinkSocket(int fd) {
    this.fd = fd;
  }

  /** Opens a socket in the current network namespace, subscribed to the given rtnetlink groups. */
  public static NetlinkSocket open(int... groups) {
    return configure(socketFd(Rtnl.NETLINK_ROUTE), groups);
  }

  /**
   * Opens a NETLINK_NETFILTER socket in the current network namespace (nf_tables requests,
   * {@link #transaction}s), subscribed to the given nfnetlink groups.
   */
  public static NetlinkSocket openNetfilter(int... groups) {
    return configure(socketFd(Nft.NETLINK_NETFILTER), groups);
  }

  /** {@link #openNetfilter} inside the named network namespace. */
  public static NetlinkSocket openNetfilterIn(String netns, int... groups) {
    return openIn(netns, Nft.NETLINK_NETFILTER, groups);
  }

  /**
   * Opens a socket inside the named network namespace ({@code /var/run/netns/NAME}): setns on
   * this thread, socket(), setns back. The socket stays in that namespace for its life.
   */
  public static NetlinkSocket openIn(String netns, int... groups) {
    return openIn(netns, Rtnl.NETLINK_ROUTE, groups);
  }

  private static NetlinkSocket openIn(String netns, int protocol, int... groups) {
    if (netns == null || netns.isEmpty() || netns.contains("/")) {
      throw new IllegalArgumentException("bad network namespace name '" + netns + "'");
    }
    int target = Sys.C.open("/var/run/netns/" + netns, O_RDONLY_CLOEXEC);
    if (target < 0) {
      throw new NetlinkException("open /var/run/netns/" + netns, Sys.errno(), null);
    }
    int orig = Sys.C.open("/proc/thread-self/ns/net", O_RDONLY_CLOEXEC);
    if (orig < 0) {
      int e = Sys.errno();
      Sys.C.close(target);
      throw new NetlinkException("open /proc/thread-self/ns/net", e, null);
    }
    try {
      if (Sys.C.setns(target, Rtnl.CLONE_NEWNET) < 0) {
        throw new NetlinkException("setns " + netns, Sys.errno(), null);
      }
      int fd;
      try {
        fd = socketFd(protocol);
      } finally {
        if (Sys.C.setns(orig, Rtnl.CLONE_NEWNET) < 0) {
          // This thread would stay in the wrong namespace: refuse to continue on it.
          throw new IllegalStateException("setns back to the original network namespace failed: "
              + Errno.name(Sys.errno()));
        }
      }
      return configure(fd, groups);
    } finally {
      Sys.C.close(target);
      Sys.C.close(orig);
    }
  }

  private static int socketFd(int protocol) {
    int fd = Sys.C.socket(Rtnl.AF_NETLINK, Rtnl.SOCK_RAW | Rtnl.SOCK_CLOEXEC, protocol);
    if (fd < 0) {
      throw new NetlinkException("socket", Sys.errno(), null);
    }
    Pointer sa = Sys.alloc(12);
    sa.putShort(0, (short) Rtnl.AF_NETLINK);
    if (Sys.C.bind(fd, sa, 12) < 0) {
      int e = Sys.errno();
      Sys.C.close(fd);
      throw new NetlinkException("bind", e, null);
    }
    return fd;
  }

  private static NetlinkSocket configure(int fd, int... groups) {
    NetlinkSocket s = new NetlinkSocket(fd);
    try {
      if (Sys.setInt(fd, Rtnl.SOL_SOCKET, Rtnl.SO_RCVBUFFORCE, RCVBUF) != 0) {
        Sys.setInt(fd, Rtnl.SOL_SOCKET, Rtnl.SO_RCVBUF, RCVBUF); // unprivileged: capped by rmem_max
      }
      if (Sys.setInt(fd, Rtnl.SOL_SOCKET, Rtnl.SO_SNDBUFFORCE, SNDBUF) != 0) {
        Sys.setInt(fd, Rtnl.SOL_SOCKET, Rtnl.SO_SNDBUF, SNDBUF);
      }
      Sys.setInt(fd, Rtnl.SOL_NETLINK, Rtnl.NETLINK_EXT_ACK, 1);
      Sys.setInt(fd, Rtnl.SOL_NETLINK, Rtnl.NETLINK_CAP_ACK, 1);
      for (int g : groups) {
        int e = Sys.setInt(fd, Rtnl.SOL_NETLINK, Rtnl.NETLINK_ADD_MEMBERSHIP, g);
        if (e != 0) {
          throw new NetlinkException("NETLINK_ADD_MEMBERSHIP " + g, e, null);
        }
      }
      s.setReceiveTimeoutMillis(groups.length > 0 ? 250 : 10_000);
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Receive timeout: a request without reply fails with EAGAIN after it instead of hanging. */
  private void setReceiveTimeoutMillis(int ms) {
    Pointer tv = Sys.alloc(16);
    tv.putLong(0, ms / 1000);
    tv.putLong(8, (ms % 1000) * 1000L);
    Sys.C.setsockopt(fd, Rtnl.SOL_SOCKET, Rtnl.SO_RCVTIMEO, tv, 16);
  }

  private int nextSeq() {
    seq = (seq + 1) & 0x7fffffff;
    return seq;
  }

  /**
   * Sends one request with NLM_F_ACK and waits for its ack. Returns the messages the kernel
   * sent before the ack (e.g. the reply to a non-dump GET). Throws on a negative ack.
   */
  public List<NlMessage> request(NlMsg m) {
    return request(m, opName(m.type()));
  }

  /** {@link Rtnl#typeName} on a route socket, {@link Nft#typeName} on a netfilter one. */
  private static String opName(int type) {
    return type >= Nft.SUBSYS_NFTABLES << 8 ? Nft.typeName(type) : Rtnl.typeName(type);
  }

  private List<NlMessage> request(NlMsg m, String op) {
    int s = nextSeq();
    byte[] raw = m.encode(s);
    setFlag(raw, 0, Rtnl.NLM_F_ACK);
    send(raw, raw.length, op);
    List<NlMessage> replies = new ArrayList<>();
    while (true) {
      for (NlMessage r : receive(op, false)) {
        if (r.seq() != s) {
          continue; // a stale reply of an earlier, abandoned exchange
        }
        if (r.type() == Rtnl.NLMSG_ERROR) {
          if (r.errno() != 0) {
            throw new NetlinkException(op, r.errno(), r.extAckMessage());
          }
          return replies;
        }
        replies.add(r);
      }
    }
  }

  /** Runs a dump (NLM_F_DUMP is added); retries when the kernel flags it NLM_F_DUMP_INTR. */
  public List<NlMessage> dump(NlMsg m) {
    String op = opName(m.type());
    for (int attempt = 1; ; attempt++) {
      int s = nextSeq();
      byte[] raw = m.encode(s);
      setFlag(raw, 0, Rtnl.NLM_F_DUMP);
      send(raw, raw.length, op);
      List<NlMessage> out = new ArrayList<>();
      boolean interrupted = false;
      boolean done = false;
      while (!done) {
        for (NlMessage r : receive(op, false)) {
          if (r.seq() != s) {
            continue;
          }
          interrupted |= (r.flags() & Rtnl.NLM_F_DUMP_INTR) != 0;
          if (r.type() == Rtnl.NLMSG_DONE) {
            int err = r.length() >= Rtnl.NLMSG_HDRLEN + 4 ? -r.u32(0) : 0;
            if (err > 0) {
              throw new NetlinkException(op, err, r.extAckMessage());
            }
            done = true;
          } else if (r.type() == Rtnl.NLMSG_ERROR) {
            if (r.errno() != 0) {
              throw new NetlinkException(op, r.errno(), r.extAckMessage());
            }
          } else if (r.type() != Rtnl.NLMSG_NOOP) {
            out.add(r);
          }
        }
      }
      if (!interrupted) {
        return out;
      }
      if (attempt >= DUMP_ATTEMPTS) {
        throw new NetlinkException(op, Errno.EINTR, "dump interrupted " + attempt + " times by concurrent changes");
      }
      log.debug("netlink dump interrupted op={} attempt={}", op, attempt);
    }
  }

  /** One failed message of a batch: its index in the list given to {@link #batch}. */
  public record Failure(int index, NetlinkException error) {}

  /**
   * Sends many requests pipelined: chunks of up to 64 KB in one sendto each, only the last
   * message of a chunk asks for an ack; failures come back as the kernel's error messages and
   * are attributed by sequence number. Every message is attempted; the returned list names the
   * ones that failed. If the receive buffer overflowed (ENOBUFS) acks were lost and the outcome
   * of the chunk is unknown: this throws, and the caller should re-dump.
   */
  public List<Failure> batch(List<NlMsg> msgs) {
    List<Failure> failures = new ArrayList<>();
    int i = 0;
    while (i < msgs.size()) {
      int first = i;
      int bytes = 0;
      while (i < msgs.size() && (i == first || bytes + msgs.get(i).length() <= CHUNK_BYTES)) {
        bytes += NlMsg.align(msgs.get(i).length());
        i++;
      }
      sendChunk(msgs, first, i, bytes, failures);
    }
    return failures;
  }

  private void sendChunk(List<NlMsg> msgs, int from, int to, int bytes, List<Failure> failures) {
    byte[] buf = new byte[bytes];
    int firstSeq = (seq + 1) & 0x7fffffff;
    int off = 0;
    for (int k = from; k < to; k++) {
      NlMsg m = msgs.get(k);
      m.encodeInto(buf, off, nextSeq());
      clearFlag(buf, off, Rtnl.NLM_F_ACK);
      if (k == to - 1) {
        setFlag(buf, off, Rtnl.NLM_F_ACK);
      }
      off += NlMsg.align(m.length());
    }
    int lastSeq = seq;
    send(buf, bytes, "sendto batch");
    boolean lost = false;
    while (true) {
      List<NlMessage> got;
      try {
        got = receive("batch", lost);
      } catch (NetlinkException e) {
        if (e.errno() == Errno.ENOBUFS) {
          lost = true; // keep reading what is queued, then report
          continue;
        }
        if (lost && e.errno() == Errno.EAGAIN) {
          throw new NetlinkException("batch", Errno.ENOBUFS, "acks lost in receive buffer overflow; re-dump");
        }
        throw e;
      }
      for (NlMessage r : got) {
        if (r.type() != Rtnl.NLMSG_ERROR) {
          continue;
        }
        int s = r.seq();
        int idx = from + ((s - firstSeq) & 0x7fffffff); // sequence numbers wrap at 2^31
        if (r.errno() != 0 && idx >= from && idx < to) {
          failures.add(new Failure(idx, new NetlinkException(Rtnl.typeName(msgs.get(idx).type()), r.errno(), r.extAckMessage())));
        }
        if (s == lastSeq) {
          if (lost) {
            throw new NetlinkException("batch", Errno.ENOBUFS, "acks lost in receive buffer overflow; re-dump");
          }
          return;
        }
      }
    }
  }

  /**
   * Sends {@code msgs} as one nf_tables transaction: NFNL_MSG_BATCH_BEGIN, the messages (each
   * asking for an ack), NFNL_MSG_BATCH_END, in one sendto (nfnetlink reads a batch from one
   * datagram). The kernel applies all of them or none. With {@code genId} != 0 the kernel
   * refuses the whole batch with ERESTART when the ruleset changed since that generation was
   * read (the caller re-dumps and tries again). Returns when every message is acked; throws the
   * first error, naming the failed message (all the others were rolled back with it).
   */
  public void transaction(List<NlMsg> msgs, int genId) {
    if (msgs.isEmpty()) {
      return;
    }
    List<NlMsg> all = new ArrayList<>(msgs.size() + 2);
    NlMsg begin = new Nfgenmsg(Rtnl.AF_UNSPEC, 0, Nft.SUBSYS_NFTABLES).request(Nft.NFNL_MSG_BATCH_BEGIN, 0);
    if (genId != 0) {
      begin.attrBe32(Nft.NFNL_BATCH_GENID, genId);
    }
    all.add(begin);
    all.addAll(msgs);
    all.add(new Nfgenmsg(Rtnl.AF_UNSPEC, 0, Nft.SUBSYS_NFTABLES).request(Nft.NFNL_MSG_BATCH_END, 0));
    int bytes = 0;
    for (NlMsg m : all) {
      bytes += NlMsg.align(m.length());
    }
    byte[] buf = new byte[bytes];
    int beginSeq = (seq + 1) & 0x7fffffff;
    java.util.Map<Integer, Integer> pending = new java.util.HashMap<>();
    int off = 0;
    for (int k = 0; k < all.size(); k++) {
      NlMsg m = all.get(k);
      int s = nextSeq();
      m.encodeInto(buf, off, s);
      if (k > 0 && k < all.size() - 1) {
        setFlag(buf, off, Rtnl.NLM_F_ACK);
        pending.put(s, k - 1);
      }
      off += NlMsg.align(m.length());
    }
    send(buf, bytes, "nftables transaction sendto");
    NetlinkException first = null;
    while (!pending.isEmpty()) {
      for (NlMessage r : receive("nftables transaction", false)) {
        if (r.type() != Rtnl.NLMSG_ERROR) {
          continue;
        }
        if (r.seq() == beginSeq && r.errno() != 0) {
          throw new NetlinkException("nftables transaction", r.errno(), r.extAckMessage()); // refused or commit failed
        }
        Integer idx = pending.remove(r.seq());
        if (idx != null && r.errno() != 0 && first == null) {
          first = new NetlinkException(Nft.typeName(msgs.get(idx).type()) + " (message " + idx + " of the transaction)",
              r.errno(), r.extAckMessage());
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void send(byte[] raw, int len, String op) {
    if (len > tx.size()) {
      tx = Sys.alloc(Math.max(len, CHUNK_BYTES * 2));
    }
    tx.put(0, raw, 0, len);
    while (true) {
      long n = Sys.C.sendto(fd, tx, len, 0, null, 0);
      if (n >= 0) {
        return;
      }
      int e = Sys.errno();
      if (e != Errno.EINTR) {
        throw new NetlinkException(op + " sendto", e, null);
      }
    }
  }

  /**
   * Receives one datagram and splits it into messages. With {@code nonBlocking} it returns
   * EAGAIN as an exception when nothing is queued. Throws ENOBUFS when the kernel dropped
   * messages because the receive buffer was full.
   */
  private List<NlMessage> receive(String op, boolean nonBlocking) {
    List<NlMessage> got = receiveOrNull(op, nonBlocking);
    if (got == null) {
      throw new NetlinkException(op + " recvfrom", Errno.EAGAIN, nonBlocking ? null : "no reply from the kernel in time");
    }
    return got;
  }

  /** {@link #receive}, but null instead of the EAGAIN exception (nothing queued, or the receive timeout passed). */
  private List<NlMessage> receiveOrNull(String op, boolean nonBlocking) {
    while (true) {
      long n = Sys.C.recvfrom(fd, rx, RECV_BUFFER, nonBlocking ? MSG_DONTWAIT : 0, null, null);
      if (n < 0) {
        int e = Sys.errno();
        if (e == Errno.EINTR) {
          continue;
        }
        if (e == Errno.EAGAIN) {
          return null;
        }
        throw new NetlinkException(op + " recvfrom", e, null);
      }
      byte[] data = new byte[(int) n];
      rx.get(0, data, 0, (int) n);
      return NlMessage.split(data, (int) n);
    }
  }

  /** Receives notifications (monitor use); returns an empty list on timeout. */
  public List<NlMessage> receiveNotifications() {
    // The 250 ms receive timeout of a monitor socket passes 4 times a second on an idle host:
    // an empty list, not an exception built (stack trace, message) and caught each time.
    List<NlMessage> got = receiveOrNull("monitor", false);
    return got == null ? List.of() : got;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      Sys.C.close(fd);
    }
  }

  private static void setFlag(byte[] raw, int off, int flag) {
    int f = (raw[off + 6] & 0xff) | (raw[off + 7] & 0xff) << 8 | flag;
    raw[off + 6] = (byte) f;
    raw[off + 7] = (byte) (f >> 8);
  }

  private static void clearFlag(byte[] raw, int off, int flag) {
    int f = ((raw[off + 6] & 0xff) | (raw[off + 7] & 0xff) << 8) & ~flag;
    raw[off + 6] = (byte) f;
    raw[off + 7] = (byte) (f >> 8);
  }
}
