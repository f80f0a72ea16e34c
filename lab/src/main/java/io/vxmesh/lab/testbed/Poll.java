package io.vxmesh.lab.testbed;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling a condition with a deadline: the testbed's only way to wait (no blind sleeps). */
public final class Poll {
  private Poll() {}

  /** True as soon as {@code condition} holds; false when {@code timeout} passed first. */
  public static boolean until(Duration timeout, Duration every, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(Math.max(1, Math.min(every.toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
