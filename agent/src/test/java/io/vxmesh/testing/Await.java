package io.vxmesh.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The one polling helper of the tests: wait for a condition with a deadline instead of sleeping. */
public final class Await {
  private static final long POLL_MS = 10;

  private Await() {}

  /**
   * Polls {@code condition} every 10 ms until it holds; returns how long that took. Fails with
   * {@code what} when the deadline passes (the condition is checked once more at the deadline).
   */
  public static Duration until(Duration deadline, String what, BooleanSupplier condition) {
    long start = System.nanoTime();
    long end = start + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + deadline.toMillis() + " ms waiting for: " + what);
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what, e);
      }
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
