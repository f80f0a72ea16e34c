package io.vxmesh.gossip;

import java.net.InetAddress;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts gossip input dropped before decoding (bad MAC, stale timestamp, garbage, oversized or
 * over-budget frames), by the <em>real</em> remote IP (the socket's peer address, never an
 * address written inside the message, which an attacker chooses), and logs it: at most one WARN
 * line per source per {@link #LOG_INTERVAL_MS}, naming the reason and how many were dropped since
 * the last line, never a stack trace. A flood of forged frames thus costs a bounded number of
 * log lines (sources × time / interval), and {@code vxmesh status} blames the right host.
 *
 * <p>Bounded: at most {@link #MAX_TRACKED_SOURCES} sources are tracked by name; the rest count
 * as {@code other} (and share one log line per interval). Thread-safe.
 */
final class Rejections {
  private static final Logger log = LoggerFactory.getLogger(Rejections.class);
  static final int MAX_TRACKED_SOURCES = 1024;
  static final String OTHER = "other";
  static final long LOG_INTERVAL_MS = 10_000;

  private final Clock clock;
  private final AtomicLong total = new AtomicLong();
  private final Map<String, Source> bySource = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> byReason = new ConcurrentHashMap<>();

  /** One source's counter and its log throttle. */
  private static final class Source {
    final AtomicLong count = new AtomicLong();
    long loggedAtMs = Long.MIN_VALUE;
    long loggedCount;
  }

  Rejections(Clock clock) {
    this.clock = clock;
  }

  /**
   * Counts one dropped frame/datagram/connection from {@code source} (null: unknown) and maybe
   * logs it. {@code reason} is one of {@link PacketAuth}'s reason constants (a fixed set: the
   * {@code reason} label of {@code vxmesh_gossip_rejected_total}); {@code detail} says more in the log.
   */
  void reject(InetAddress source, String reason, String detail) {
    total.incrementAndGet();
    byReason.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    String key = source == null ? "?" : source.getHostAddress();
    Source s = bySource.get(key);
    if (s == null) {
      if (bySource.size() >= MAX_TRACKED_SOURCES) {
        key = OTHER;
      }
      s = bySource.computeIfAbsent(key, k -> new Source());
    }
    long n = s.count.incrementAndGet();
    long now = clock.millis();
    long since;
    synchronized (s) {
      if (s.loggedAtMs != Long.MIN_VALUE && now - s.loggedAtMs < LOG_INTERVAL_MS) {
        return;
      }
      since = n - s.loggedCount;
      s.loggedAtMs = now;
      s.loggedCount = n;
    }
    log.warn("gossip dropped unauthenticated input source={} reason={} detail={} dropped={} total_from_source={} (next line for this source in {} s at the earliest)",
        key, reason, detail, since, n, LOG_INTERVAL_MS / 1000);
  }

  long total() {
    return total.get();
  }

  /** Counts by reason, sorted. */
  Map<String, Long> byReason() {
    Map<String, Long> m = new TreeMap<>();
    byReason.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  /** Counts by source IP (or {@code ?}, {@code other}), sorted. */
  Map<String, Long> bySource() {
    Map<String, Long> m = new TreeMap<>();
    bySource.forEach((k, v) -> m.put(k, v.count.get()));
    return m;
  }
}
