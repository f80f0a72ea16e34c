package io.vxmesh.gossip;

import io.atomix.cluster.messaging.ManagedUnicastService;
import io.atomix.cluster.messaging.UnicastService;
import io.atomix.utils.net.Address;
import io.vxmesh.net.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atomix's UDP gossip transport, replaced: Atomix's own NettyUnicastService decodes every
 * datagram's envelope with Kryo from anyone. Here a datagram is
 * {@code subject length (2) | subject | PacketAuth frame}, and only a frame that authenticates
 * under the cluster key for that subject is handed to the listener (and so to Kryo). Everything
 * else is dropped and counted against the datagram's source IP ({@link Rejections}: one log line
 * per source per interval). A datagram costs at most one 64 KB copy and one MAC, whoever sent it;
 * sources are not blocked (UDP sources are spoofable: a forger could lock out a member).
 *
 * <p>One blocking receive thread; listeners run on the executor they registered with.
 */
final class AuthenticatedUnicast implements ManagedUnicastService {
  private static final Logger log = LoggerFactory.getLogger(AuthenticatedUnicast.class);
  /** Atomix's limit is 64 KB; FACTS.md: larger datagrams fail silently, keep metadata small. */
  private static final int MAX_DATAGRAM = 65507;
  /** The {@code transport} label of this transport's traffic counters. */
  static final String UDP = "udp";

  private final InetSocketAddress bind;
  private final PacketAuth auth;
  private final Rejections rejections;
  private final PacketFilter filter;
  private final String name;
  private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
  private volatile DatagramChannel channel;
  private volatile Thread receiver;

  private record Listener(BiConsumer<Address, byte[]> consumer, Executor executor) {}

  AuthenticatedUnicast(InetSocketAddress bind, PacketAuth auth, Rejections rejections, PacketFilter filter, String name) {
    this.bind = bind;
    this.auth = auth;
    this.rejections = rejections;
    this.filter = filter;
    this.name = name;
  }

  @Override
  public void unicast(Address address, String subject, byte[] message) {
    DatagramChannel ch = channel;
    if (ch == null || !filter.passes(AtomixAddresses.hostPort(address), subject)) {
      return;
    }
    byte[] s = subject.getBytes(StandardCharsets.UTF_8);
    byte[] frame = auth.seal(subject, message);
    ByteBuffer b = ByteBuffer.allocate(2 + s.length + frame.length);
    b.putShort((short) s.length).put(s).put(frame).flip();
    if (b.remaining() > MAX_DATAGRAM) {
      log.warn("{} gossip datagram too large to={} bytes={}", name, address, b.remaining());
      return;
    }
    try {
      int bytes = b.remaining();
      ch.send(b, new InetSocketAddress(address.address(), address.port()));
      auth.traffic(UDP, "out", bytes);
    } catch (IOException | RuntimeException e) {
      log.debug("{} gossip send failed to={} error={}", name, address, e.toString());
    }
  }

  @Override
  public void addListener(String subject, BiConsumer<Address, byte[]> listener, Executor executor) {
    listeners.computeIfAbsent(subject, k -> new CopyOnWriteArrayList<>()).add(new Listener(listener, executor));
  }

  @Override
  public void removeListener(String subject, BiConsumer<Address, byte[]> listener) {
    List<Listener> l = listeners.get(subject);
    if (l != null) {
      l.removeIf(x -> x.consumer == listener);
    }
  }

  @Override
  public synchronized CompletableFuture<UnicastService> start() {
    if (channel != null) {
      return CompletableFuture.completedFuture(this);
    }
    try {
      DatagramChannel ch = DatagramChannel.open(
          bind.getAddress() instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
      ch.bind(bind);
      channel = ch;
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new IOException("cannot bind gossip UDP " + bind + ": " + e.getMessage(), e));
    }
    Thread t = new Thread(this::receiveLoop, "vxmesh-gossip-udp");
    t.setDaemon(true);
    receiver = t;
    t.start();
    return CompletableFuture.completedFuture(this);
  }

  private void receiveLoop() {
    ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM + 1);
    DatagramChannel ch = channel;
    while (ch != null && ch.isOpen()) {
      InetSocketAddress from;
      try {
        buf.clear();
        from = (InetSocketAddress) ch.receive(buf);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.debug("{} gossip receive failed error={}", name, e.toString());
        continue;
      }
      buf.flip();
      auth.traffic(UDP, "in", buf.remaining());
      try {
        deliver(from, buf);
      } catch (RuntimeException e) {
        log.warn("{} gossip datagram handling failed from={} error={}", name, from, e.toString());
      }
    }
  }

  /** Hands an authentic datagram to the subject's listeners; drops and counts anything else. */
  void deliver(InetSocketAddress from, ByteBuffer buf) {
    if (from.getPort() == 0) {
      rejections.reject(from.getAddress(), PacketAuth.MALFORMED, "source port 0");
      return;
    }
    if (buf.remaining() < 2) {
      rejections.reject(from.getAddress(), PacketAuth.MALFORMED, "datagram of " + buf.remaining() + " bytes");
      return;
    }
    int sl = buf.getShort() & 0xffff;
    if (sl == 0 || sl > 255 || buf.remaining() < sl + PacketAuth.HEADER) {
      rejections.reject(from.getAddress(), PacketAuth.MALFORMED, "not a vxmesh datagram");
      return;
    }
    byte[] s = new byte[sl];
    buf.get(s);
    String subject = new String(s, StandardCharsets.UTF_8);
    byte[] frame = new byte[buf.remaining()];
    buf.get(frame);
    if (!filter.passes(HostPort.of(from), subject)) {
      return;
    }
    byte[] payload = auth.openFrom(rejections, from.getAddress(), subject, frame);
    if (payload == null) {
      return;
    }
    List<Listener> l = listeners.get(subject);
    if (l == null) {
      rejections.reject(from.getAddress(), PacketAuth.UNKNOWN_SUBJECT, "no listener for the subject");
      return;
    }
    Address sender = new Address(from.getAddress().getHostAddress(), from.getPort(), from.getAddress());
    for (Listener x : l) {
      try {
        x.executor.execute(() -> x.consumer.accept(sender, payload));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // SWIM already stopped (shutdown in progress)
      }
    }
  }

  @Override
  public boolean isRunning() {
    return channel != null && channel.isOpen();
  }

  @Override
  public synchronized CompletableFuture<Void> stop() {
    DatagramChannel ch = channel;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        log.debug("{} gossip UDP close failed error={}", name, e.toString());
      }
    }
    Thread t = receiver;
    if (t != null) {
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return CompletableFuture.completedFuture(null);
  }
}
