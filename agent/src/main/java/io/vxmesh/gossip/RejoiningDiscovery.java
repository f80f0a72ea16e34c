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
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 * <p>Thread-safe: Atomix calls {@link #getNodes()} on its SWIM thread; the membership feeds
 * {@link #seen} and {@link #probed} from its own threads.
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
  private boolean joinSyncSent;

  private static final class Target {
    final Node node;
    final boolean seed;
    long lastSeenMs;
    long backoffMs;
    long nextDueMs;

    Target(Node node, boolean seed, long now, long backoffMs) {
      this.node = node;
      this.seed = seed;
      this.lastSeenMs = now;
      this.backoffMs = backoffMs;
    }
  }

  RejoiningDiscovery(HostPort self, Collection<HostPort> seeds, Clock clock, Duration minBackoff,
      Duration maxBackoff, Supplier<Set<HostPort>> live) {
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
    if (t == null || (!t.seed && !t.node.id().id().equals(name))) {
      t = new Target(node(name, address), false, now, minBackoffMs);
      targets.put(hp, t);
    }
    t.lastSeenMs = now;
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
    targets.values().removeIf(t -> !t.seed && now - t.lastSeenMs > FORGET_AFTER.toMillis());
    long recent = targets.values().stream().filter(t -> !t.seed).count();
    if (recent > MAX_RECENT) {
      targets.values().stream().filter(t -> !t.seed).min(java.util.Comparator.comparingLong(t -> t.lastSeenMs))
          .ifPresent(oldest -> targets.values().remove(oldest));
    }
  }

  @Override
  public synchronized Set<Node> getNodes() {
    long now = clock.millis();
    Set<HostPort> liveNow = live.get();
    Set<Node> out = new HashSet<>();
    for (Map.Entry<HostPort, Target> e : targets.entrySet()) {
      Target t = e.getValue();
      if (!liveNow.contains(e.getKey()) && (t.nextDueMs <= now || (t.seed && !joinSyncSent))) {
        out.add(e.getValue().node);
      }
    }
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
