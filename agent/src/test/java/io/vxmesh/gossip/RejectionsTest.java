package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxmesh.net.IpAddresses;
import io.vxmesh.testing.LogCapture;
import io.vxmesh.testing.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dropped gossip input: counted by real source IP in a bounded map, logged once per source per interval. */
class RejectionsTest {
  private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(1_700_000_000_000L));
  private final Rejections rejections = new Rejections(clock);

  private static InetAddress ip(int i) {
    return IpAddresses.parse("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
  }

  @Test
  void perSourceCountersAreCappedAndTheRestCountAsOther() {
    int extra = 500;
    for (int i = 0; i < Rejections.MAX_TRACKED_SOURCES + extra; i++) {
      rejections.reject(ip(i), PacketAuth.BAD_MAC, "bad MAC");
    }
    rejections.reject(ip(0), PacketAuth.BAD_MAC, "bad MAC"); // already tracked: still counted by name after the cap
    rejections.reject(null, PacketAuth.BAD_MAC, "bad MAC");  // unknown source, arriving after the cap
    Map<String, Long> bySource = rejections.bySource();
    assertEquals(Rejections.MAX_TRACKED_SOURCES + extra + 2, rejections.total(), "every rejection counted in total");
    assertEquals(Rejections.MAX_TRACKED_SOURCES + 1, bySource.size(), "the map stays bounded: " + bySource.size() + " keys");
    assertEquals(extra + 1, bySource.get(Rejections.OTHER), "sources past the cap, and '?' after it, count as other");
    assertEquals(2L, bySource.get("10.0.0.0"), "keyed by IP alone: " + bySource.keySet().iterator().next());
    assertEquals(rejections.total(), bySource.values().stream().mapToLong(Long::longValue).sum());
    assertEquals(Map.of(PacketAuth.BAD_MAC, rejections.total()), rejections.byReason(), "by reason: the fixed label");
  }

  @Test
  void aFloodFromOneSourceLogsOneLinePerIntervalWithoutStackTraces() {
    try (LogCapture logs = new LogCapture(Rejections.class)) {
      for (int i = 0; i < 10_000; i++) {
        rejections.reject(ip(1), PacketAuth.BAD_MAC, "bad MAC or stale timestamp");
        rejections.reject(ip(2), PacketAuth.TOO_LARGE, "frame length 4294967295 outside 52..1048576");
      }
      assertEquals(2, logs.lines().size(), "one line per source: " + logs.lines());
      clock.set(clock.instant().plus(Duration.ofMillis(Rejections.LOG_INTERVAL_MS)));
      rejections.reject(ip(1), PacketAuth.BAD_MAC, "bad MAC or stale timestamp");
      List<String> lines = logs.lines();
      assertEquals(3, lines.size(), lines.toString());
      assertTrue(lines.get(2).startsWith("WARN gossip dropped unauthenticated input source=10.0.0.1"), lines.get(2));
      assertTrue(lines.get(2).contains("dropped=10000 total_from_source=10001"), "dropped since the last line: " + lines.get(2));
      assertTrue(lines.stream().noneMatch(l -> l.contains("\n")), "one line each, no stack trace");
    }
  }
}
