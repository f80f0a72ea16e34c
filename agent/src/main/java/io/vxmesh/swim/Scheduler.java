package io.vxmesh.swim;

/**
 * Time and timers for a {@link SwimNode}, owned by whoever runs it: a single-threaded executor in
 * the agent, a virtual clock in the simulator. Contract: tasks run one at a time, on the same
 * thread that delivers inbound traffic and calls the node's API, so the node needs no locks.
 */
public interface Scheduler {
  /** Monotonic time in nanoseconds (only differences are meaningful). */
  long nanoTime();

  /** Runs {@code task} once after {@code delayNanos}; the handle cancels it if not yet run. */
  Cancellable schedule(long delayNanos, Runnable task);

  /** A scheduled task that can still be called off. */
  interface Cancellable {
    void cancel();
  }
}
