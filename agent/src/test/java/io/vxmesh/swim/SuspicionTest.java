package io.vxmesh.swim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SuspicionTest {
  private static final long MIN = 1_000;
  private static final long MAX = 3_000;

  @Test
  void timeoutShrinksFromMaxToMinWithIndependentConfirmations() {
    Suspicion s = new Suspicion(7, "a", 3, MIN, MAX, 100);
    assertEquals(MAX, s.timeoutNanos());
    assertTrue(s.confirm("b"));
    long one = s.timeoutNanos();
    assertTrue(one < MAX && one > MIN, "after one: " + one);
    assertTrue(s.confirm("c"));
    assertTrue(s.timeoutNanos() < one);
    assertTrue(s.confirm("d"));
    assertEquals(MIN, s.timeoutNanos());
    assertEquals(100 + MIN, s.deadlineNanos());
    assertFalse(s.confirm("e"), "no more needed after k");
  }

  @Test
  void theFirstAccuserAndRepeatedConfirmersCountOnce() {
    Suspicion s = new Suspicion(7, "a", 3, MIN, MAX, 0);
    assertFalse(s.confirm("a"));
    assertTrue(s.confirm("b"));
    assertFalse(s.confirm("b"));
    assertTrue(s.timeoutNanos() > MIN);
  }

  @Test
  void withoutConfirmationsWantedTheTimeoutIsTheMinimum() {
    assertEquals(MIN, new Suspicion(1, "a", 0, MIN, MAX, 0).timeoutNanos());
  }

  @Test
  void minimumScalesWithLog10OfClusterSize() {
    SwimConfig c = SwimConfig.tuned();
    assertEquals(400_000_000L, c.suspicionMinNanos(5)); // floor of 1 x log10
    assertEquals(1.2e9, c.suspicionMinNanos(1000), 1e3);
    assertEquals(30_000_000_000L, c.pushPullNanos(32));
    assertEquals(180_000_000_000L, c.pushPullNanos(1000));
  }
}
