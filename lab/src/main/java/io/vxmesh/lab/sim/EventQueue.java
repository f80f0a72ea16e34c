package io.vxmesh.lab.sim;

import io.vxmesh.swim.Scheduler;
import java.util.PriorityQueue;

/**
 * The simulator's virtual clock: a priority queue of events ordered by (time, insertion
 * sequence), so equal times run in a fixed order and a run depends on nothing but its seed. Time
 * only moves when an event runs; nothing reads the wall clock. Each event belongs to a node (or
 * to nobody, -1); a {@link Gate} decides per node whether its events run, vanish (crashed) or
 * wait (frozen).
 */
public final class EventQueue {
  /** What happens to a node's event when its time comes. */
  public interface Gate {
    /** True: run it now. False: the gate took it (dropped it, or kept it to {@link #requeue} later). */
    boolean admit(Event event);
  }

  /** A scheduled task; cancelling marks it, the queue skips it when popped. */
  public static final class Event implements Scheduler.Cancellable {
    long at;
    long seq;
    final int node;
    final Runnable task;
    boolean cancelled;

    Event(long at, long seq, int node, Runnable task) {
      this.at = at;
      this.seq = seq;
      this.node = node;
      this.task = task;
    }

    public int node() {
      return node;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  private final PriorityQueue<Event> queue = new PriorityQueue<>(1 << 16, (a, b) -> {
    int c = Long.compare(a.at, b.at);
    return c != 0 ? c : Long.compare(a.seq, b.seq);
  });
  private Gate gate = e -> true;
  private long now;
  private long seq;
  private long executed;

  public void gate(Gate gate) {
    this.gate = gate;
  }

  public long now() {
    return now;
  }

  /** Events run so far. */
  public long executed() {
    return executed;
  }

  public Event at(long atNanos, int node, Runnable task) {
    Event e = new Event(Math.max(atNanos, now), seq++, node, task);
    queue.add(e);
    return e;
  }

  public Event after(long delayNanos, int node, Runnable task) {
    return at(now + delayNanos, node, task);
  }

  /** Puts an event the gate held back in again, to run now (after what is already due now). */
  public void requeue(Event e) {
    e.at = now;
    e.seq = seq++;
    queue.add(e);
  }

  /** Runs every event due up to and including {@code untilNanos}, then sets the clock to it. */
  public void runUntil(long untilNanos) {
    while (!queue.isEmpty() && queue.peek().at <= untilNanos) {
      Event e = queue.poll();
      if (e.cancelled) {
        continue;
      }
      now = e.at;
      if (e.node >= 0 && !gate.admit(e)) {
        continue;
      }
      executed++;
      e.task.run();
    }
    now = Math.max(now, untilNanos);
  }
}
