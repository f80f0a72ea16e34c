package io.vxmesh.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Decides when a bad API frame is worth a log line: at most one per peer uid per
 * {@link #INTERVAL}, carrying how many bad frames that uid sent since its last line. Any local
 * user in the group can open connections as fast as the kernel lets it; without this, a loop of
 * garbage would write one WARN line per connection (the gossip side does the same per source IP,
 * {@code io.vxmesh.gossip.Rejections}).
 *
 * <p>Bounded: at most {@link #MAX_TRACKED_UIDS} uids are tracked by number; the rest share one
 * entry ({@link #OTHER_UID}). Thread-safe: connection threads call it concurrently.
 */
final class BadFrameThrottle {
  static final Duration INTERVAL = Duration.ofSeconds(10);
  static final int MAX_TRACKED_UIDS = 1024;
  /** The key of uids past the cap and of frames whose caller is unknown. */
  static final int OTHER_UID = -1;

  private final LongSupplier monotonicMillis;
  private final Map<Integer, Entry> byUid = new ConcurrentHashMap<>();

  /** One uid's count and when its last line was written. */
  private static final class Entry {
    long count;
    long loggedAtMs;
    long loggedCount;
    boolean logged;
  }

  /** @param monotonicMillis a monotonic clock in ms ({@code System.nanoTime() / 1_000_000} in the server) */
  BadFrameThrottle(LongSupplier monotonicMillis) {
    this.monotonicMillis = monotonicMillis;
  }

  /**
   * Counts one bad frame of {@code uid} (null: unknown) and returns how many bad frames the uid
   * sent since its last line if a line is due now (this one included), else 0.
   */
  long record(Integer uid) {
    int key = uid == null ? OTHER_UID : uid;
    Entry e = byUid.get(key);
    if (e == null) {
      e = byUid.computeIfAbsent(byUid.size() >= MAX_TRACKED_UIDS ? OTHER_UID : key, k -> new Entry());
    }
    long now = monotonicMillis.getAsLong();
    synchronized (e) {
      e.count++;
      if (e.logged && now - e.loggedAtMs < INTERVAL.toMillis()) {
        return 0;
      }
      long since = e.count - e.loggedCount;
      e.logged = true;
      e.loggedAtMs = now;
      e.loggedCount = e.count;
      return since;
    }
  }
}
