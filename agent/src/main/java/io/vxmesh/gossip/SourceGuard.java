package io.vxmesh.gossip;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What unauthenticated TCP input may cost, enforced per real remote IP and in total, before a
 * byte of a frame is buffered ({@link FrameReader} asks here first):
 * <ul>
 *   <li>concurrent inbound connections: {@link Limits#connectionsPerSource} per IP,
 *       {@link Limits#connections} in all; more are closed on accept;
 *   <li>bytes of frames being received (not yet authenticated): {@link Limits#bytesPerSource}
 *       per IP, {@link Limits#bytes} in all; a frame that does not fit closes its connection;
 *   <li>rejected frames: a token bucket per IP ({@link Limits#rejectBurst}, refilled at
 *       {@link Limits#rejectsPerSecond}); while it is empty, that IP's new connections are closed
 *       on accept, so a forger gets a few MACs checked and then nothing.
 * </ul>
 * A TCP peer address is proven by the handshake; UDP sources are not (spoofable), so UDP
 * datagrams never drain these buckets: a forger must not be able to lock a member out by
 * spoofing its address. Each datagram's cost is bounded by its size anyway.
 *
 * <p>Bounded: at most {@link #MAX_SOURCES} IPs are tracked; idle ones with a full bucket are swept,
 * and past the cap new IPs share one entry (and so its limits). Thread-safe.
 */
final class SourceGuard {
  static final int MAX_SOURCES = 4096;

  /**
   * @param frameBytes largest frame accepted (length field checked before anything is buffered)
   * @param bytes bytes of incomplete frames buffered across all connections
   * @param bytesPerSource the same for one remote IP
   * @param connections inbound connections in all
   * @param connectionsPerSource inbound connections from one remote IP
   * @param rejectBurst rejected frames one IP may send before its connections are refused
   * @param rejectsPerSecond how fast that allowance comes back
   */
  record Limits(int frameBytes, long bytes, long bytesPerSource, int connections, int connectionsPerSource,
      int rejectBurst, double rejectsPerSecond) {
    /**
     * 1 MiB frames: SWIM's full sync carries every member (~0.3 KB each), so ~3,000 members fit.
     * 8 MiB in flight in all (the agent's heap is 64 MB), 2 MiB per IP (two full syncs), 256
     * connections (a member keeps one to each peer it talks to), 8 per IP, 10 rejected frames
     * and then one a second.
     */
    static Limits defaults() {
      return new Limits(1 << 20, 8L << 20, 2L << 20, 256, 8, 10, 1.0);
    }
  }

  private final Limits limits;
  private final LongSupplier nanos;
  private final Map<InetAddress, Source> sources = new ConcurrentHashMap<>();
  private final Source overflow;
  private long bytes;
  private int connections;

  /** Per-IP state; guarded by the SourceGuard's lock. */
  private final class Source {
    long bytes;
    int connections;
    double tokens = limits.rejectBurst();
    long refilledAt = nanos.getAsLong();

    void refill(long now) {
      tokens = Math.min(limits.rejectBurst(), tokens + (now - refilledAt) / 1e9 * limits.rejectsPerSecond());
      refilledAt = now;
    }

    boolean idle(long now) {
      refill(now);
      return bytes == 0 && connections == 0 && tokens >= limits.rejectBurst();
    }
  }

  SourceGuard(Limits limits) {
    this(limits, System::nanoTime);
  }

  SourceGuard(Limits limits, LongSupplier nanos) {
    this.limits = limits;
    this.nanos = nanos;
    this.overflow = new Source();
  }

  Limits limits() {
    return limits;
  }

  /** {@code ip}'s entry; null (an unknown peer) and IPs past the cap share the overflow entry. */
  private Source source(InetAddress ip) {
    if (ip == null) {
      return overflow;
    }
    Source s = sources.get(ip);
    if (s != null) {
      return s;
    }
    if (sources.size() >= MAX_SOURCES) {
      long now = nanos.getAsLong();
      for (Iterator<Source> it = sources.values().iterator(); it.hasNext();) {
        if (it.next().idle(now)) {
          it.remove();
        }
      }
      if (sources.size() >= MAX_SOURCES) {
        return overflow;
      }
    }
    s = new Source();
    sources.put(ip, s);
    return s;
  }

  /** Null when a new connection from {@code ip} may be served (and is counted), else why not. */
  synchronized String openConnection(InetAddress ip) {
    Source s = source(ip);
    s.refill(nanos.getAsLong());
    if (s.tokens < 1) {
      return "too many rejected frames from this source";
    }
    if (s.connections >= limits.connectionsPerSource()) {
      return "more than " + limits.connectionsPerSource() + " connections from this source";
    }
    if (connections >= limits.connections()) {
      return "more than " + limits.connections() + " gossip connections";
    }
    s.connections++;
    connections++;
    return null;
  }

  synchronized void closeConnection(InetAddress ip) {
    Source s = known(ip);
    s.connections = Math.max(0, s.connections - 1);
    connections = Math.max(0, connections - 1);
    forgetIfIdle(ip, s);
  }

  /** Whether a frame of {@code n} bytes from {@code ip} may be buffered; if so it is counted until {@link #release}. */
  synchronized boolean reserve(InetAddress ip, int n) {
    Source s = source(ip);
    if (n > limits.frameBytes() || bytes + n > limits.bytes() || s.bytes + n > limits.bytesPerSource()) {
      return false;
    }
    s.bytes += n;
    bytes += n;
    return true;
  }

  synchronized void release(InetAddress ip, int n) {
    Source s = known(ip);
    s.bytes = Math.max(0, s.bytes - n);
    bytes = Math.max(0, bytes - n);
    forgetIfIdle(ip, s);
  }

  private Source known(InetAddress ip) {
    Source s = ip == null ? null : sources.get(ip);
    return s == null ? overflow : s;
  }

  /** Takes one token from {@code ip}'s bucket (a TCP frame from it failed). */
  synchronized void rejected(InetAddress ip) {
    Source s = source(ip);
    s.refill(nanos.getAsLong());
    s.tokens = Math.max(0, s.tokens - 1);
  }

  private void forgetIfIdle(InetAddress ip, Source s) {
    if (s != overflow && ip != null && s.idle(nanos.getAsLong())) {
      sources.remove(ip, s);
    }
  }

  /** Bytes of incomplete frames held right now (all connections). */
  synchronized long bytesInFlight() {
    return bytes;
  }

  synchronized int openConnections() {
    return connections;
  }

  synchronized int trackedSources() {
    return sources.size();
  }
}
