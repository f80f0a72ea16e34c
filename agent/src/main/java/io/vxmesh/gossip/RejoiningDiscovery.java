package io.vxmesh.gossip;

import io.atomix.cluster.BootstrapService;
import io.atomix.cluster.Node;
import io.atomix.cluster.NodeConfig;
import io.atomix.cluster.discovery.BootstrapDiscoveryConfig;
import io.atomix.cluster.discovery.NodeDiscoveryConfig;
import io.atomix.cluster.discovery.NodeDiscoveryEvent;
import io.atomix.cluster.discovery.NodeDiscoveryEventListener;
import io.atomix.cluster.discovery.NodeDiscoveryProvider;
import io.atomix.utils.event.AbstractListenerManager;
import io.atomix.utils.net.Address;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.JoinEntry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The node list Atomix's SWIM probe loop draws from: every probe round, Atomix probes the
 * discovery nodes it does not currently hold as live members before its own members. Atomix's
 * BootstrapDiscoveryProvider only ever offers the static seed list; this one offers the seeds
 * plus up to {@link #MAX_RECENT} recently seen members, but only those that are not currently
 * live and whose per-address backoff has expired (1x, 2x, 4x ... the probe interval, capped).
 * So after a partition both halves keep knocking on each other's doors and re-merge as soon as
 * the network is back, without an operator.
 *
 * <p>The backoff must not hide the seeds from Atomix's join-time sync, its one and only full
 * state transfer: at start Atomix runs its first probe and then, on the same thread right
 * after, the sync, both over {@link #getNodes()}. With one seed, that first probe goes to the
 * seed and pushed its backoff out, so the sync found no node and was never sent; the joiner then
 * learned members only from their probes and from the one-off gossip of its arrival, and a member
 * that gossip missed and the joiner never learned each other (FaultsE2ETest's join flake). So
 * until the first sync went out, every seed that is not live is offered regardless of backoff.
 *
 * <p>Seeds given as DNS names ({@code [gossip] join = ["seeds.example:7947"]}) are resolved on
 * every (re)join attempt: whenever a name is due (same doubling backoff) and not all of its
 * addresses are live members, {@link #getNodes()} hands it to the {@link JoinResolver} (which
 * returns at once) and offers the addresses of its last answer. Each answer replaces the name's
 * seed addresses (every A record is tried; one that vanished from DNS is no seed any more); a
 * failed or timed-out lookup keeps the last answer and is retried when the name is due again.
 * So a dead DNS server delays only the names, never the probe loop or the literal seeds.
 *
 * <p>Thread-safe: Atomix calls {@link #getNodes()} on its SWIM thread; the membership feeds
 * {@link #seen} and {@link #probed} from its own threads; lookups complete on the resolver's.
 */
final class RejoiningDiscovery extends AbstractListenerManager<NodeDiscoveryEvent, NodeDiscoveryEventListener>
    implements NodeDiscoveryProvider {
  static final int MAX_RECENT = 64;
  private static final Duration FORGET_AFTER = Duration.ofMinutes(10);

  private final Map<HostPort, Target> targets = new LinkedHashMap<>();
  private final HostPort self;
  private final Clock clock;
  private final long minBackoffMs;
  private final long maxBackoffMs;
  private final Supplier<Set<HostPort>> live;
  private final Map<JoinEntry.Name, NameTarget> names = new LinkedHashMap<>();
  private final JoinResolver resolver;
  private boolean joinSyncSent;

  private static final class Target {
    final Node node;
    /** A configured IP seed: kept forever. */
    final boolean seed;
    /** The seed names whose last answer listed this address; kept while any does. */
    final Set<JoinEntry.Name> fromNames = new HashSet<>();
    long lastSeenMs;
    /** Seen as a live member at least once (else it is only an address a name gave). */
    boolean everSeen;
    long backoffMs;
    long nextDueMs;

    boolean isSeed() {
      return seed || !fromNames.isEmpty();
    }

    Target(Node node, boolean seed, long now, long backoffMs) {
      this.node = node;
      this.seed = seed;
      this.lastSeenMs = now;
      this.backoffMs = backoffMs;
    }
  }

  /** One seed given as a name: its last answer and its own re-resolve backoff. */
  private static final class NameTarget {
    Set<HostPort> addresses = Set.of();
    boolean resolving;
    long backoffMs;
    long nextDueMs;
    final ResolveLog log;

    NameTarget(JoinEntry.Name name, long backoffMs) {
      this.backoffMs = backoffMs;
      this.log = new ResolveLog(name);
    }
  }

  RejoiningDiscovery(HostPort self, Collection<HostPort> seeds, Clock clock, Duration minBackoff,
      Duration maxBackoff, Supplier<Set<HostPort>> live) {
    this(self, seeds, List.of(), null, clock, minBackoff, maxBackoff, live);
  }

  /**
   * @param seedNames seeds given as DNS names, resolved by {@code resolver} on every attempt
   * @param resolver may be null when there are no names
   */
  RejoiningDiscovery(HostPort self, Collection<HostPort> seeds, Collection<JoinEntry.Name> seedNames,
      JoinResolver resolver, Clock clock, Duration minBackoff, Duration maxBackoff, Supplier<Set<HostPort>> live) {
    this.resolver = resolver;
    this.self = self;
    this.clock = clock;
    this.minBackoffMs = minBackoff.toMillis();
    this.maxBackoffMs = Math.max(minBackoffMs, maxBackoff.toMillis());
    this.live = live;
    long now = clock.millis();
    for (HostPort hp : seeds) {
      if (!hp.equals(self)) {
        targets.put(hp, new Target(node("seed:" + hp, AtomixAddresses.address(hp)), true, now, minBackoffMs));
      }
    }
    for (JoinEntry.Name n : seedNames) {
      if (resolver == null) {
        throw new IllegalArgumentException("seed names need a resolver");
      }
      names.putIfAbsent(n, new NameTarget(n, minBackoffMs));
    }
  }

  /** Whether there is any seed but ourselves (IP or name); without one a new mesh starts. */
  synchronized boolean hasSeeds() {
    return !names.isEmpty() || targets.values().stream().anyMatch(t -> t.seed);
  }

  /** The IP seeds and the last known addresses of the seed names (ourselves left out). */
  synchronized List<HostPort> seedAddresses() {
    List<HostPort> out = new ArrayList<>();
    targets.forEach((hp, t) -> {
      if (t.seed || !t.fromNames.isEmpty()) {
        out.add(hp);
      }
    });
    return out;
  }

  /**
   * Resolves every seed name now (the first join attempt); the future completes when all
   * lookups have ended, successful or not. The caller bounds its wait.
   */
  CompletableFuture<Void> resolveNamesNow() {
    List<CompletableFuture<?>> lookups = new ArrayList<>();
    List<JoinEntry.Name> due;
    synchronized (this) {
      due = startLookups(clock.millis(), true, Set.of());
    }
    for (JoinEntry.Name n : due) {
      lookups.add(lookup(n));
    }
    return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).handle((v, e) -> null);
  }

  /** Marks names due for a lookup as resolving and returns them; the caller starts the lookups unlocked. */
  private List<JoinEntry.Name> startLookups(long now, boolean all, Set<HostPort> liveNow) {
    List<JoinEntry.Name> due = new ArrayList<>();
    for (Map.Entry<JoinEntry.Name, NameTarget> e : names.entrySet()) {
      NameTarget n = e.getValue();
      if (n.resolving) {
        continue;
      }
      boolean allLive = !n.addresses.isEmpty() && liveNow.containsAll(n.addresses);
      if (allLive) {
        n.backoffMs = minBackoffMs;
        n.nextDueMs = 0;
      } else if (all || n.nextDueMs <= now) {
        n.resolving = true;
        n.nextDueMs = now + n.backoffMs;
        n.backoffMs = Math.min(maxBackoffMs, n.backoffMs * 2);
        due.add(e.getKey());
      }
    }
    return due;
  }

  private CompletableFuture<Void> lookup(JoinEntry.Name name) {
    CompletableFuture<java.util.List<java.net.Inet4Address>> f;
    try {
      f = resolver.resolve(name.name());
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle((addrs, err) -> {
      resolved(name, addrs, err);
      return null;
    });
  }

  /** A lookup of {@code name} ended: its answer replaces the name's seed addresses; a failure keeps them. */
  synchronized void resolved(JoinEntry.Name name, List<java.net.Inet4Address> addrs, Throwable err) {
    NameTarget n = names.get(name);
    if (n == null) {
      return;
    }
    n.resolving = false;
    long now = clock.millis();
    if (err != null || addrs == null || addrs.isEmpty()) {
      n.log.failed(err, n.addresses, now);
      return;
    }
    Set<HostPort> next = new java.util.LinkedHashSet<>();
    addrs.forEach(a -> next.add(new HostPort(a, name.port())));
    n.log.resolved(next, now);
    for (HostPort old : n.addresses) {
      Target t = targets.get(old);
      if (t != null && !next.contains(old)) {
        t.fromNames.remove(name);
        if (!t.isSeed() && !t.everSeen) {
          targets.remove(old); // never a member: only DNS named it, and it no longer does
        }
        // Else no longer a seed: forgotten like any recently seen member.
      }
    }
    for (HostPort hp : next) {
      if (hp.equals(self)) {
        continue;
      }
      Target t = targets.computeIfAbsent(hp,
          k -> new Target(node("seed:" + k, AtomixAddresses.address(k)), false, now, minBackoffMs));
      if (t.fromNames.add(name) && !t.seed) {
        t.nextDueMs = 0; // a new address is tried at once
      }
    }
    n.addresses = Set.copyOf(next);
    trim(now);
  }

  private static Node node(String id, Address address) {
    return new Node(new NodeConfig().setId(id).setAddress(address));
  }

  /** Records that member {@code name} was live at {@code address}; resets its backoff. */
  synchronized void seen(String name, Address address) {
    HostPort hp = AtomixAddresses.hostPort(address);
    if (hp.equals(self)) {
      return;
    }
    long now = clock.millis();
    Target t = targets.get(hp);
    if (t == null || (!t.isSeed() && !t.node.id().id().equals(name))) {
      t = new Target(node(name, address), false, now, minBackoffMs);
      targets.put(hp, t);
    }
    t.lastSeenMs = now;
    t.everSeen = true;
    t.backoffMs = minBackoffMs;
    t.nextDueMs = 0;
    trim(now);
  }

  /**
   * Atomix just probed or synced with {@code address}: push its next attempt out by the
   * (doubling) backoff. {@code sync} marks the join-time sync as sent (see the class comment).
   */
  synchronized void probed(Address address, boolean sync) {
    joinSyncSent |= sync;
    Target t = targets.get(AtomixAddresses.hostPort(address));
    if (t != null) {
      long now = clock.millis();
      if (t.nextDueMs <= now) {
        t.nextDueMs = now + t.backoffMs;
        t.backoffMs = Math.min(maxBackoffMs, t.backoffMs * 2);
      }
    }
  }

  private void trim(long now) {
    targets.values().removeIf(t -> !t.isSeed() && now - t.lastSeenMs > FORGET_AFTER.toMillis());
    long recent = targets.values().stream().filter(t -> !t.isSeed()).count();
    if (recent > MAX_RECENT) {
      targets.values().stream().filter(t -> !t.isSeed()).min(java.util.Comparator.comparingLong(t -> t.lastSeenMs))
          .ifPresent(oldest -> targets.values().remove(oldest));
    }
  }

  @Override
  public Set<Node> getNodes() {
    Set<HostPort> liveNow = live.get();
    Set<Node> out = new HashSet<>();
    List<JoinEntry.Name> lookups;
    synchronized (this) {
      long now = clock.millis();
      lookups = startLookups(now, false, liveNow);
      for (Map.Entry<HostPort, Target> e : targets.entrySet()) {
        Target t = e.getValue();
        if (!liveNow.contains(e.getKey()) && (t.nextDueMs <= now || (t.isSeed() && !joinSyncSent))) {
          out.add(e.getValue().node);
        }
      }
    }
    lookups.forEach(this::lookup); // outside the lock: an answer may come back on this thread
    return out;
  }

  @Override
  public NodeDiscoveryConfig config() {
    return new BootstrapDiscoveryConfig();
  }

  @Override
  public CompletableFuture<Void> join(BootstrapService bootstrap, Node localNode) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> leave(Node localNode) {
    return CompletableFuture.completedFuture(null);
  }
}
