package io.vxmesh.swim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BiPredicate;

/**
 * A minimal in-memory network and virtual clock for unit tests of {@link SwimNode} (pure logic,
 * so an in-memory fake is allowed): 1 ms one-way delay, a drop rule, and one seeded random.
 * The lab's simulator is the full-featured version (jitter, loss, freeze, bandwidth).
 */
final class VirtualNet {
  private record Task(long at, long seq, Runnable run, boolean[] cancelled) {}

  private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) ->
      a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private final Map<String, SwimNode> nodes = new LinkedHashMap<>();
  private final Random random = new Random(42);
  private final List<String> events = new ArrayList<>();
  private final List<MembershipEvent> eventList = new ArrayList<>();
  private final List<String> eventObservers = new ArrayList<>();
  private long now;
  private long seq;
  /** Every stream message (push-pull) sent, with its sender, in order. */
  final List<Map.Entry<String, byte[]>> streamsSent = new ArrayList<>();
  /** (from, to) → drop. */
  BiPredicate<String, String> drop = (from, to) -> false;

  SwimNode add(String name, SwimConfig config) {
    Transport transport = new Transport() {
      @Override
      public void sendDatagram(String address, byte[] packet) {
        deliver(name, address, () -> nodes.get(address).onDatagram(name, packet));
      }

      @Override
      public void sendStream(String address, byte[] message) {
        streamsSent.add(java.util.Map.entry(name, message));
        deliver(name, address, () -> nodes.get(address).onStream(name, message));
      }
    };
    Scheduler scheduler = new Scheduler() {
      @Override
      public long nanoTime() {
        return now;
      }

      @Override
      public Cancellable schedule(long delayNanos, Runnable task) {
        return VirtualNet.this.schedule(delayNanos, task);
      }
    };
    SwimNode node = new SwimNode(config, name, name, name.getBytes(), transport, scheduler, random, e -> {
      events.add(name + " " + e.getClass().getSimpleName() + " " + e.member().name());
      eventList.add(e);
      eventObservers.add(name);
    });
    nodes.put(name, node);
    return node;
  }

  private void deliver(String from, String to, Runnable r) {
    if (nodes.containsKey(to) && !drop.test(from, to)) {
      schedule(1_000_000, r);
    }
  }

  Scheduler.Cancellable schedule(long delayNanos, Runnable task) {
    boolean[] cancelled = new boolean[1];
    queue.add(new Task(now + delayNanos, seq++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  void runFor(long millis) {
    long until = now + millis * 1_000_000;
    while (!queue.isEmpty() && queue.peek().at <= until) {
      Task t = queue.poll();
      now = t.at;
      if (!t.cancelled[0]) {
        t.run.run();
      }
    }
    now = until;
  }

  /** Replaces a node by a fresh process of the same name (incarnation 1) joining via seed. */
  SwimNode restart(String name, String seed) {
    SwimNode fresh = add(name, SwimConfig.tuned());
    fresh.start();
    fresh.join(List.of(seed));
    return fresh;
  }

  /** Starts every node; all but the first join through the first. */
  void startAll() {
    String first = nodes.keySet().iterator().next();
    for (SwimNode n : nodes.values()) {
      n.start();
      n.join(List.of(first));
    }
  }

  /** "observer EventType member" lines, in order. */
  List<String> events() {
    return events;
  }

  long count(String observer, Class<? extends MembershipEvent> type, String member) {
    long c = 0;
    for (int i = 0; i < eventList.size(); i++) {
      MembershipEvent e = eventList.get(i);
      if ((observer == null || observer.equals(eventObservers.get(i))) && type.isInstance(e)
          && e.member().name().equals(member)) {
        c++;
      }
    }
    return c;
  }

  MemberStatus status(String observer, String member) {
    return nodes.get(observer).member(member).map(Member::status).orElse(null);
  }

  SwimNode node(String name) {
    return nodes.get(name);
  }

  /** Injects a stream message (push-pull) as if sent by {@code from}, delivered now. */
  void injectStream(String from, String to, byte[] bytes) {
    nodes.get(to).onStream(from, bytes);
  }

  /** Injects a datagram as if sent by {@code from}, delivered now. */
  void inject(String from, String to, byte[] bytes) {
    nodes.get(to).onDatagram(from, bytes);
  }
}
