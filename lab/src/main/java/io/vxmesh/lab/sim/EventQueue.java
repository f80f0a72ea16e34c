package io.vxmesh.lab.sim;

import io.vxmesh.swim.Scheduler;

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

  private final Heap queue = new Heap();
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
    while (!queue.isEmpty() && queue.peekAt() <= untilNanos) {
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

  /**
   * A 4-ary min-heap on (at, seq) kept in parallel primitive arrays: the simulator's hot loop
   * is this queue, and comparing longs in place is several times faster than a
   * {@code PriorityQueue} that chases two object references per comparison.
   */
  private static final class Heap {
    private long[] at = new long[1 << 12];
    private long[] seq = new long[1 << 12];
    private Event[] ev = new Event[1 << 12];
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    long peekAt() {
      return at[0];
    }

    void add(Event e) {
      if (size == ev.length) {
        at = java.util.Arrays.copyOf(at, size * 2);
        seq = java.util.Arrays.copyOf(seq, size * 2);
        ev = java.util.Arrays.copyOf(ev, size * 2);
      }
      int i = size++;
      long a = e.at;
      long s = e.seq;
      while (i > 0) {
        int parent = (i - 1) >>> 2;
        if (at[parent] < a || (at[parent] == a && seq[parent] < s)) {
          break;
        }
        at[i] = at[parent];
        seq[i] = seq[parent];
        ev[i] = ev[parent];
        i = parent;
      }
      at[i] = a;
      seq[i] = s;
      ev[i] = e;
    }

    Event poll() {
      Event top = ev[0];
      int last = --size;
      long a = at[last];
      long s = seq[last];
      Event e = ev[last];
      ev[last] = null;
      int i = 0;
      while (true) {
        int child = 4 * i + 1;
        if (child >= size) {
          break;
        }
        int best = child;
        int end = Math.min(child + 4, size);
        for (int c = child + 1; c < end; c++) {
          if (at[c] < at[best] || (at[c] == at[best] && seq[c] < seq[best])) {
            best = c;
          }
        }
        if (a < at[best] || (a == at[best] && s < seq[best])) {
          break;
        }
        at[i] = at[best];
        seq[i] = seq[best];
        ev[i] = ev[best];
        i = best;
      }
      if (size > 0) {
        at[i] = a;
        seq[i] = s;
        ev[i] = e;
      }
      return top;
    }
  }
}
