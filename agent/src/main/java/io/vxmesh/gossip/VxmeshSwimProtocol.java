package io.vxmesh.gossip;

import io.atomix.cluster.BootstrapService;
import io.atomix.cluster.Member;
import io.atomix.cluster.MemberId;
import io.atomix.cluster.discovery.NodeDiscoveryService;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.cluster.messaging.UnicastService;
import io.atomix.cluster.protocol.GroupMembershipEvent;
import io.atomix.cluster.protocol.GroupMembershipEventListener;
import io.atomix.cluster.protocol.GroupMembershipProtocol;
import io.atomix.cluster.protocol.GroupMembershipProtocolConfig;
import io.atomix.utils.net.Address;
import io.vxmesh.net.HostPort;
import io.vxmesh.swim.MemberStatus;
import io.vxmesh.swim.MembershipEvent;
import io.vxmesh.swim.Scheduler;
import io.vxmesh.swim.SwimConfig;
import io.vxmesh.swim.SwimNode;
import io.vxmesh.swim.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vxmesh's SWIM + Lifeguard protocol ({@link SwimNode}) plugged into Atomix as its
 * {@link GroupMembershipProtocol}: Atomix's {@code DefaultClusterMembershipService} runs it over
 * the unicast and messaging services of its {@link BootstrapService} (vxmesh's authenticated
 * transports, so nothing unauthenticated is ever decoded), and lists its members as Atomix
 * {@link Member}s whose one property is the signed announcement.
 *
 * <ul>
 *   <li>Datagrams (probes, acks, piggybacked broadcasts) go over the unicast service as subject
 *       {@link #DATAGRAM}; push-pull state syncs and joins over the messaging service as one-way
 *       messages of type {@link #STREAM}. Both carry swim.proto protobuf.
 *   <li>The node runs on one thread ("vxmesh-swim"): its timers, its inbound traffic and every
 *       call into it. {@link #getMembers()} reads a snapshot that thread publishes, rebuilt at
 *       most once per burst of changes.
 *   <li>Suspects are listed unreachable; dead and left members are not listed (vxmesh's
 *       {@link MemberTracker} turns that into FAILED, LEAVING or restart grace).
 *   <li>Joining: a push-pull with the seeds, tried in turn until one answers; a node left alone
 *       (every other member dead) joins through the seeds again every {@code rejoinEvery}, so a
 *       mesh whose seeds restart later is found again. Dead members are pinged every
 *       {@link SwimConfig#reconnectInterval()}, which re-merges partitions.
 * </ul>
 */
final class VxmeshSwimProtocol implements GroupMembershipProtocol {
  private static final Logger log = LoggerFactory.getLogger(VxmeshSwimProtocol.class);
  /** Unicast subject of the protocol's datagrams. */
  static final String DATAGRAM = "vxmesh-swim";
  /** Messaging type of push-pull (state sync, join). */
  static final String STREAM = "vxmesh-swim-sync";

  private final SwimConfig config;
  private final int maxMembers;
  private final Supplier<List<HostPort>> seeds;
  private final Duration rejoinEvery;
  private final Set<GroupMembershipEventListener> listeners = new CopyOnWriteArraySet<>();
  private final ScheduledThreadPoolExecutor thread;
  private final AtomicBoolean snapshotQueued = new AtomicBoolean();
  private final Map<String, Address> addresses = new ConcurrentHashMap<>();
  private final Map<String, Cached> cache = new HashMap<>(); // swim thread

  private volatile Map<MemberId, Member> snapshot = Map.of();
  private volatile boolean joined;
  private volatile long refused;
  private volatile long malformed;
  private volatile int localHealth;
  private volatile boolean running;
  private Member local;
  private SwimNode node; // swim thread
  private UnicastService unicast;
  private MessagingService messaging;
  private ScheduledFuture<?> rejoinTask;
  private BiConsumer<Address, byte[]> datagrams;

  /** A member as Atomix lists it, reused while the node reports the same state. */
  private record Cached(io.vxmesh.swim.Member state, Member member) {}

  /**
   * @param config the protocol's timing
   * @param maxMembers most members kept, self included ({@link SwimNode#limitMembers})
   * @param seeds the current join addresses (names resolved again on every call)
   * @param rejoinEvery how often a node that is alone asks the seeds again
   */
  VxmeshSwimProtocol(SwimConfig config, int maxMembers, Supplier<List<HostPort>> seeds, Duration rejoinEvery) {
    this.config = config;
    this.maxMembers = maxMembers;
    this.seeds = seeds;
    this.rejoinEvery = rejoinEvery;
    this.thread = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "vxmesh-swim");
      t.setDaemon(true);
      return t;
    });
    this.thread.setRemoveOnCancelPolicy(true); // probe timers are mostly cancelled: don't keep them queued
  }

  /**
   * The vxmesh protocol's settings from the {@code [gossip]} timers: probe and gossip timing and
   * fanout as configured; the probe timeout at most half the probe interval (the indirect probe
   * needs the rest of the period); failed members pinged for a reconnect every re-join backoff
   * cap and kept as long as operators see them (reap_failed_after_s); the rest is
   * {@link SwimConfig#tuned()} (Lifeguard suspicion, push-pull every 30 s scaled by size).
   */
  static SwimConfig configFor(GossipSettings.GossipTimers t) {
    SwimConfig d = SwimConfig.tuned();
    Duration probeTimeout = t.probeTimeout().compareTo(t.probeInterval().dividedBy(2)) > 0
        ? t.probeInterval().dividedBy(2) : t.probeTimeout();
    return new SwimConfig(t.probeInterval(), probeTimeout, d.indirectChecks(), t.gossipInterval(), t.gossipFanout(),
        d.gossipToTheDead(), d.retransmitMult(), d.fixedTransmits(), d.piggyback(), d.suspicionMult(),
        d.suspicionMaxMult(), d.suspicionConfirmations(), d.awarenessMax(), d.pushPullInterval(), d.maxPacketBytes(),
        d.joinTimeout(), t.failedRetention(), t.rejoinMaxBackoff(), d.joinFanout());
  }

  // ---------------------------------------------------------------- Atomix SPI

  @Override
  public CompletableFuture<Void> join(BootstrapService bootstrap, NodeDiscoveryService discovery, Member localMember) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    thread.execute(() -> {
      try {
        start(bootstrap, localMember);
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  private void start(BootstrapService bootstrap, Member localMember) {
    local = localMember;
    unicast = bootstrap.getUnicastService();
    messaging = bootstrap.getMessagingService();
    String self = address(localMember.address());
    node = new SwimNode(config, localMember.id().id(), self, announcementOf(localMember), transport(), scheduler(),
        RandomGenerator.of("L64X128MixRandom"), this::onEvent);
    node.limitMembers(maxMembers);
    datagrams = (from, bytes) -> inbound(() -> node.onDatagram(address(from), bytes));
    unicast.addListener(DATAGRAM, datagrams, thread);
    messaging.registerHandler(STREAM, (BiConsumer<Address, byte[]>) (from, bytes) ->
        inbound(() -> node.onStream(address(from), bytes)), thread);
    running = true;
    // Incarnations from the wall clock: a restarted agent outbids its previous run at once.
    node.start(System.currentTimeMillis());
    node.join(this::seedAddresses);
    joined = node.joined();
    rejoinTask = thread.scheduleWithFixedDelay(this::rejoinIfAlone, rejoinEvery.toMillis(), rejoinEvery.toMillis(),
        TimeUnit.MILLISECONDS);
    publishSnapshot();
  }

  private List<String> seedAddresses() {
    List<String> out = new ArrayList<>();
    for (HostPort hp : seeds.get()) {
      out.add(hp.toString());
    }
    return out;
  }

  private void rejoinIfAlone() {
    if (running && node.joined() && node.liveMembers() <= 1 && !seedAddresses().isEmpty()) {
      log.debug("gossip alone, asking the seeds again node={}", node.name());
      node.join(this::seedAddresses);
    }
  }

  @Override
  public CompletableFuture<Void> leave(Member localMember) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      thread.execute(() -> {
        if (running) {
          node.leave(); // a dead message about ourselves: peers list us as left at once
        }
      });
      // Give the departure one gossip round to go out, then stop.
      thread.schedule(() -> {
        stopNow();
        done.complete(null);
      }, config.gossipInterval().toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      done.complete(null);
    }
    return done.whenComplete((v, e) -> thread.shutdownNow());
  }

  private void stopNow() {
    if (!running) {
      return;
    }
    running = false;
    if (rejoinTask != null) {
      rejoinTask.cancel(false);
    }
    node.stop();
    unicast.removeListener(DATAGRAM, datagrams);
    messaging.unregisterHandler(STREAM);
  }

  @Override
  public Set<Member> getMembers() {
    return new LinkedHashSet<>(snapshot.values());
  }

  @Override
  public Member getMember(MemberId id) {
    return snapshot.get(id);
  }

  @Override
  public void addListener(GroupMembershipEventListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(GroupMembershipEventListener listener) {
    listeners.remove(listener);
  }

  @Override
  public GroupMembershipProtocolConfig config() {
    return new GroupMembershipProtocolConfig() {
      @Override
      public GroupMembershipProtocol.Type getType() {
        return null; // built directly by vxmesh, never from an Atomix config file
      }
    };
  }

  // ---------------------------------------------------------------- vxmesh side

  /** Publishes a new announcement (a new incarnation, broadcast). */
  void announce(String property) {
    byte[] bytes = property.getBytes(StandardCharsets.ISO_8859_1);
    try {
      thread.execute(() -> {
        if (running) {
          node.updateAnnouncement(bytes);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // stopped: nothing to announce to
    }
  }

  /** True once a seed answered our join (or there was none to ask). */
  boolean joined() {
    return joined;
  }

  /** New members refused at the member limit. */
  long refusedMembers() {
    return refused;
  }

  /** Protocol messages that passed authentication but did not decode. */
  long malformedMessages() {
    return malformed;
  }

  /** Lifeguard local health score (0 = healthy). */
  int localHealth() {
    return localHealth;
  }

  private void onEvent(MembershipEvent event) {
    queueSnapshot();
  }

  private void inbound(Runnable r) {
    if (!running) {
      return;
    }
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("gossip message handling failed error={}", e.toString(), e);
    }
    if (!joined && node.joined()) {
      queueSnapshot();
    }
  }

  /** One snapshot rebuild per burst of events: a push-pull of 1,000 members is one rebuild, not 1,000. */
  private void queueSnapshot() {
    if (snapshotQueued.compareAndSet(false, true)) {
      thread.execute(() -> {
        snapshotQueued.set(false);
        publishSnapshot();
      });
    }
  }

  /**
   * Rebuilds the member list Atomix reads and tells the listeners: MEMBER_ADDED for each member
   * new to the list, and METADATA_CHANGED (of the local member) for anything else — a status or
   * announcement change, a removal, the join completing. A snapshot that only added members
   * posts no METADATA_CHANGED: AtomixMembership challenges each newcomer's host address and
   * lists it once the answer is in, rather than listing it unproven first (bench join).
   */
  private void publishSnapshot() {
    if (!running) {
      return;
    }
    Map<MemberId, Member> next = new LinkedHashMap<>();
    next.put(local.id(), local);
    Set<String> listed = new java.util.HashSet<>();
    List<Member> added = new ArrayList<>();
    boolean changed = false;
    for (io.vxmesh.swim.Member m : node.members()) {
      if (m.name().equals(node.name()) || m.status() == MemberStatus.DEAD || m.status() == MemberStatus.LEFT) {
        continue;
      }
      listed.add(m.name());
      Cached c = cache.get(m.name());
      if (c == null || !c.state().equals(m)) {
        boolean isNew = c == null;
        changed |= !isNew;
        c = new Cached(m, new SwimMember(m, atomixAddress(m.address())));
        cache.put(m.name(), c);
        if (isNew) {
          added.add(c.member());
        }
      }
      next.put(c.member().id(), c.member());
    }
    boolean removed = cache.keySet().retainAll(listed);
    boolean wasJoined = joined;
    snapshot = next;
    joined = node.joined();
    refused = node.refusedMembers();
    malformed = node.malformedDropped();
    localHealth = node.localHealth();
    for (Member m : added) {
      post(new GroupMembershipEvent(GroupMembershipEvent.Type.MEMBER_ADDED, m));
    }
    if (added.isEmpty() || changed || removed || wasJoined != joined) {
      post(new GroupMembershipEvent(GroupMembershipEvent.Type.METADATA_CHANGED, local));
    }
  }

  private void post(GroupMembershipEvent e) {
    for (GroupMembershipEventListener l : listeners) {
      try {
        l.event(e);
      } catch (RuntimeException ex) {
        log.warn("gossip membership listener failed error={}", ex.toString());
      }
    }
  }

  private Transport transport() {
    return new Transport() {
      @Override
      public void sendDatagram(String address, byte[] packet) {
        unicast.unicast(atomixAddress(address), DATAGRAM, packet);
      }

      @Override
      public void sendStream(String address, byte[] message) {
        messaging.sendAsync(atomixAddress(address), STREAM, message, true).exceptionally(e -> {
          log.debug("gossip sync not delivered to={} error={}", address, e.toString());
          return null;
        });
      }
    };
  }

  private Scheduler scheduler() {
    return new Scheduler() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public Cancellable schedule(long delayNanos, Runnable task) {
        try {
          ScheduledFuture<?> f = thread.schedule(() -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("gossip protocol task failed error={}", e.toString(), e);
            }
          }, delayNanos, TimeUnit.NANOSECONDS);
          return () -> f.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          return () -> { }; // stopping
        }
      }
    };
  }

  private Address atomixAddress(String address) {
    return addresses.computeIfAbsent(address, a -> AtomixAddresses.address(HostPort.parse(a)));
  }

  private static String address(Address a) {
    return AtomixAddresses.hostPort(a).toString();
  }

  private static byte[] announcementOf(Member m) {
    String p = m.properties().getProperty(AnnouncementCodec.PROPERTY, "");
    return p.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** An Atomix member backed by one node's view of a SWIM member. */
  static final class SwimMember extends Member {
    private final boolean reachable;

    SwimMember(io.vxmesh.swim.Member m, Address address) {
      super(MemberId.from(m.name()), address, null, null, null, properties(m.announcement()));
      this.reachable = m.status() == MemberStatus.ALIVE;
    }

    private static Properties properties(byte[] announcement) {
      Properties p = new Properties();
      p.setProperty(AnnouncementCodec.PROPERTY, new String(announcement, StandardCharsets.ISO_8859_1));
      return p;
    }

    @Override
    public boolean isActive() {
      return true;
    }

    @Override
    public boolean isReachable() {
      return reachable;
    }
  }
}
