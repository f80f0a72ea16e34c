package io.vxmesh.lab.sim;

import io.vxmesh.swim.Member;
import io.vxmesh.swim.MemberStatus;
import io.vxmesh.swim.MembershipEvent;
import io.vxmesh.swim.Scheduler;
import io.vxmesh.swim.SwimConfig;
import io.vxmesh.swim.SwimNode;
import io.vxmesh.swim.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * N {@link SwimNode}s on one {@link EventQueue} and one {@link SimNetwork}, driven by one seeded
 * {@link Random}: the same seed gives the same run, event for event ({@link #traceHash()}).
 * Members are started, crashed (silent for good), frozen (their timers and inbound traffic wait,
 * as for a SIGSTOPped process, and run late when thawed), made to leave, and partitioned.
 * Member i is named and addressed {@code m00000}+i; its announcement is
 * {@code announcementBytes} bytes whose first 8 are its version.
 */
public final class SimCluster {
  /** Sees every membership event of every member, with the virtual time. */
  public interface Observer {
    void onEvent(int observer, MembershipEvent event, long nowNanos);
  }

  private final EventQueue clock = new EventQueue();
  private final Random random;
  private final Trace trace = new Trace();
  private final SimNetwork network;
  /**
   * An event's kind as traced: its class's simple name's hash. Looked up once per class;
   * {@code getSimpleName()} per event was a quarter of the 1,000-member run's profile.
   */
  private static final ClassValue<Integer> EVENT_KIND = new ClassValue<>() {
    @Override
    protected Integer computeValue(Class<?> type) {
      return type.getSimpleName().hashCode();
    }
  };
  private final String[] names;
  private final SwimNode[] nodes;
  private final long[] version;
  private final boolean[] started;
  private final boolean[] crashed;
  private final boolean[] frozen;
  private final boolean[] left;
  private final List<List<EventQueue.Event>> held = new ArrayList<>();
  private final int announcementBytes;
  /** Names, announcements and alive broadcasts, one copy for all members (see {@link SharedValues}). */
  private final SharedValues shared = new SharedValues();
  /** The table {@link #startWithFullView} hands every member, encoded once. */
  private byte[] fullView;

  public SimCluster(int members, SwimConfig config, SimNetwork.Settings net, long seed, int announcementBytes,
      Observer observer) {
    if (members < 1 || announcementBytes < 8) {
      throw new IllegalArgumentException("members must be >= 1 and announcementBytes >= 8");
    }
    this.random = new Random(seed);
    this.announcementBytes = announcementBytes;
    names = new String[members];
    for (int i = 0; i < members; i++) {
      names[i] = shared.string(name(i));
      held.add(new ArrayList<>());
    }
    version = new long[members];
    started = new boolean[members];
    crashed = new boolean[members];
    frozen = new boolean[members];
    left = new boolean[members];
    network = new SimNetwork(clock, random, net, trace, names, new SimNetwork.Receiver() {
      @Override
      public void datagram(int to, String from, byte[] bytes) {
        nodes[to].onDatagram(from, bytes);
      }

      @Override
      public void stream(int to, String from, byte[] bytes) {
        nodes[to].onStream(from, bytes);
      }
    });
    clock.gate(e -> {
      if (crashed[e.node()]) {
        return false;
      }
      if (frozen[e.node()]) {
        held.get(e.node()).add(e);
        return false;
      }
      return true;
    });
    nodes = new SwimNode[members];
    for (int i = 0; i < members; i++) {
      int me = i;
      Transport transport = new Transport() {
        @Override
        public void sendDatagram(String address, byte[] packet) {
          network.sendDatagram(me, address, packet);
        }

        @Override
        public void sendStream(String address, byte[] message) {
          network.sendStream(me, address, message);
        }
      };
      Scheduler scheduler = new Scheduler() {
        @Override
        public long nanoTime() {
          return clock.now();
        }

        @Override
        public Cancellable schedule(long delayNanos, Runnable task) {
          return clock.after(delayNanos, me, task);
        }
      };
      nodes[i] = new SwimNode(config, names[i], names[i], announcement(i, 0), transport, scheduler, random, e -> {
        trace.add(clock.now(), me, EVENT_KIND.get(e.getClass()),
            e.member().name().hashCode() * 31L + e.member().incarnation());
        observer.onEvent(me, e, clock.now());
      });
      nodes[i].shareValues(shared);
    }
  }

  public static String name(int i) {
    return String.format("m%05d", i);
  }

  /** Member index of a name made by {@link #name}. */
  public static int index(String name) {
    return Integer.parseInt(name.substring(1));
  }

  public int size() {
    return nodes.length;
  }

  public long now() {
    return clock.now();
  }

  public void runUntil(long nanos) {
    clock.runUntil(nanos);
  }

  /** Runs {@code action} at virtual time {@code atNanos} (not owned by a member: always runs). */
  public void at(long atNanos, Runnable action) {
    clock.at(atNanos, -1, action);
  }

  /** Starts member i now and joins it through the given seeds (tried in turn). */
  public void start(int i, List<Integer> seeds) {
    started[i] = true;
    nodes[i].start();
    nodes[i].join(seeds.stream().map(s -> names[s]).toList());
  }

  /**
   * Starts member i now with a complete view: every member at incarnation 1 with its first
   * announcement, merged as a join answer (nothing re-broadcast, no seed asked). For spread at
   * sizes whose join ramp is too long to simulate here; every member must be started this way.
   */
  public void startWithFullView(int i) {
    started[i] = true;
    nodes[i].start();
    if (fullView == null) {
      io.vxmesh.proto.swim.PushPull.Builder b = io.vxmesh.proto.swim.PushPull.newBuilder().setJoin(false).setReply(true);
      for (int m = 0; m < names.length; m++) {
        b.addMembersBuilder().setNode(names[m]).setAddress(names[m]).setIncarnation(1)
            .setStatus(io.vxmesh.proto.swim.MemberState.Status.ALIVE)
            .setAnnouncement(com.google.protobuf.ByteString.copyFrom(announcement(m, 0)));
      }
      fullView = b.build().toByteArray();
    }
    nodes[i].adoptView(fullView);
  }

  /** Member i stops for good, silently: nothing it had scheduled or was sent runs any more. */
  public void crash(int i) {
    crashed[i] = true;
  }

  /** Member i stops running (SIGSTOP): its timers and inbound traffic wait until {@link #thaw}. */
  public void freeze(int i) {
    frozen[i] = true;
  }

  public void thaw(int i) {
    frozen[i] = false;
    for (EventQueue.Event e : held.get(i)) {
      clock.requeue(e);
    }
    held.get(i).clear();
  }

  /** Member i leaves gracefully: broadcasts its departure, stops after {@code lingerNanos}. */
  public void leave(int i, long lingerNanos) {
    left[i] = true;
    nodes[i].leave();
    clock.after(lingerNanos, i, nodes[i]::stop);
  }

  /** Member i publishes its next announcement version; returns that version. */
  public long updateAnnouncement(int i) {
    version[i]++;
    nodes[i].updateAnnouncement(announcement(i, version[i]));
    return version[i];
  }

  public void partition(int[] groups) {
    network.partition(groups);
  }

  public void heal() {
    network.heal();
  }

  /** Started, not crashed, not frozen, not left. */
  public boolean live(int i) {
    return started[i] && !crashed[i] && !frozen[i] && !left[i];
  }

  public SwimNode node(int i) {
    return nodes[i];
  }

  public static long version(byte[] announcement) {
    long v = 0;
    for (int b = 0; b < 8; b++) {
      v = (v << 8) | (announcement[b] & 0xff);
    }
    return v;
  }

  private byte[] announcement(int i, long v) {
    byte[] a = new byte[announcementBytes];
    for (int b = 0; b < 8; b++) {
      a[b] = (byte) (v >>> (56 - 8 * b));
    }
    for (int b = 8; b < a.length; b++) {
      a[b] = (byte) (i * 31 + b);
    }
    return a;
  }

  /**
   * Empty if every live member sees every live member alive with its latest announcement and
   * no live member sees a crashed or left one alive; else the first disagreement found.
   */
  public Optional<String> disagreement() {
    for (int i = 0; i < nodes.length; i++) {
      if (!live(i)) {
        continue;
      }
      for (int j = 0; j < nodes.length; j++) {
        if (j == i || !started[j] || frozen[j]) {
          continue;
        }
        Optional<Member> m = nodes[i].member(names[j]);
        boolean seenAlive = m.isPresent() && m.get().status() == MemberStatus.ALIVE;
        if (live(j) && (!seenAlive || version(m.get().announcement()) != version[j])) {
          return Optional.of(names[i] + " sees " + names[j] + " as " + m.map(Member::toString).orElse("unknown")
              + ", latest version " + version[j]);
        }
        if (!live(j) && m.isPresent() && m.get().status() == MemberStatus.ALIVE) {
          return Optional.of(names[i] + " still sees " + (crashed[j] ? "crashed " : "departed ") + names[j] + " alive");
        }
      }
    }
    return Optional.empty();
  }

  public long traceHash() {
    return trace.hash();
  }

  public long traceRecords() {
    return trace.records();
  }

  public long eventsExecuted() {
    return clock.executed();
  }

  public long sentBytes(int i) {
    return network.sentBytes(i);
  }

  public long receivedBytes(int i) {
    return network.receivedBytes(i);
  }

  public long datagrams() {
    return network.datagrams();
  }

  public long datagramsLost() {
    return network.lost();
  }
}
