package io.vxmesh.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Pure logic: when a bad API frame earns a log line, with a hand-moved clock. */
class BadFrameThrottleTest {
  private final AtomicLong nowMs = new AtomicLong(5_000);
  private final BadFrameThrottle throttle = new BadFrameThrottle(nowMs::get);

  @Test
  void oneLinePerUidPerIntervalCarryingTheCountSinceTheLastLine() {
    assertEquals(1, throttle.record(1000), "the first bad frame of a uid is logged");
    assertEquals(1, throttle.record(0), "another uid has its own line");
    for (int i = 0; i < 999; i++) {
      assertEquals(0, throttle.record(1000), "frame " + i + " within the interval");
    }
    nowMs.addAndGet(BadFrameThrottle.INTERVAL.toMillis() - 1);
    assertEquals(0, throttle.record(1000), "still within the interval");
    nowMs.addAndGet(1);
    assertEquals(1001, throttle.record(1000), "the next line counts everything since the last one");
    assertEquals(0, throttle.record(1000));
  }

  @Test
  void unknownCallersAndUidsPastTheCapShareOneEntry() {
    for (int uid = 0; uid < BadFrameThrottle.MAX_TRACKED_UIDS; uid++) {
      assertEquals(1, throttle.record(uid));
    }
    assertEquals(1, throttle.record(null), "unknown caller: the shared entry's first line");
    assertEquals(0, throttle.record(BadFrameThrottle.MAX_TRACKED_UIDS + 7), "a uid past the cap shares it");
    assertEquals(0, throttle.record(-1));
  }
}
