package io.vxmesh;

import io.vxmesh.api.ApiServer;
import io.vxmesh.config.Config;
import io.vxmesh.config.GossipConfig;
import io.vxmesh.config.NetworkConfig;
import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.gossip.Announced;
import io.vxmesh.gossip.AtomixMembership;
import io.vxmesh.gossip.GossipSettings;
import io.vxmesh.gossip.Membership;
import io.vxmesh.gossip.MembershipException;
import io.vxmesh.gossip.PeerSnapshot;
import io.vxmesh.gossip.ValidationContext;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.reconcile.Reconciler;
import io.vxmesh.systemd.SdNotify;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part from the configuration, starts them in order, and
 * stops them in reverse. No DI framework; each part gets what it needs through its constructor.
 *
 * <p>Data flows one way: gossip (membership view) → reconciler (desired state) → datapath
 * (diff against a kernel dump, apply). The API only reads snapshots of those parts.
 *
 * <p>Start-up: ensure every VTEP device, join the mesh, start reconciling (nothing is removed
 * until the first complete view), serve the API, then {@code READY=1} once a complete view has
 * been reconciled. SIGTERM stops without leaving and without flushing the kernel (hitless
 * restart: peers keep our routes for the restart grace). {@code vxmesh leave} announces
 * departure, removes our peer entries and exits 0.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  /** Exit code when the agent cannot start for a reason other than its config (EX_UNAVAILABLE). */
  public static final int EX_UNAVAILABLE = 69;
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final Duration LEAVE_WAIT = Duration.ofSeconds(1);

  private final Config config;
  private final Clock clock;
  private final long startedNanos = System.nanoTime();
  private final List<VtepSpec> networks;
  private final SdNotify notify;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final List<AutoCloseable> watches = new ArrayList<>();
  private Datapath datapath;
  private Membership membership;
  private Reconciler reconciler;
  private ApiServer api;
  private ScheduledExecutorService timers;
  private boolean closed;

  Agent(Config config, Clock clock, SdNotify notify) {
    this.config = config;
    this.clock = clock;
    this.notify = notify;
    this.networks = config.vtepSpecs();
  }

  /**
   * Runs the daemon until SIGTERM/SIGINT or {@code vxmesh leave}; returns the process exit code:
   * 0 after a signal or a clean leave. The main thread owns the whole life cycle: signals only
   * complete the exit future, and everything is closed once, here, in reverse order (no shutdown
   * hook racing a second close).
   */
  public static int run(Config config) {
    Agent agent = new Agent(config, Clock.systemUTC(), SdNotify.fromEnvironment());
    // The handlers stay until close() is done: a second SIGTERM while closing changes nothing.
    try (StopSignals signals = StopSignals.install(agent::stopOnSignal)) {
      try {
        agent.start();
        return agent.awaitExit();
      } catch (StartupException e) {
        System.err.println("vxmesh: " + e.getMessage());
        return EX_UNAVAILABLE;
      } finally {
        agent.close();
      }
    }
  }

  /** SIGTERM/SIGINT (from the signal's own thread): stop with exit 0, without leaving the mesh. */
  void stopOnSignal(String signal) {
    if (exit.complete(0)) {
      log.info("agent stop requested node={} signal=SIG{}", config.nodeName(), signal);
    }
  }

  void start() throws StartupException {
    log.info("agent starting node={} version={} advertise={} networks={} config={}", config.nodeName(), Version.current(),
        config.gossip().advertise().getHostAddress(), networks.size(), config.file());
    try {
      datapath = Datapath.open();
      for (VtepSpec spec : networks) {
        int ifindex = datapath.ensureVtep(spec);
        log.info("vtep ready device={} ifindex={} vni={} port={} local={} underlay={} mac={} address={} mtu={}",
            spec.device(), ifindex, spec.vni(), spec.port(), spec.local().getHostAddress(), spec.underlay(), spec.mac(),
            spec.address(), spec.mtu());
      }
    } catch (RuntimeException e) {
      throw new StartupException("cannot set up the VTEP device: " + e.getMessage()
          + (isRoot() ? "" : " (the agent needs root or CAP_NET_ADMIN)"), e);
    }

    PeerSnapshot peers = PeerSnapshot.in(ClaimStore.stateDirectory());
    List<HostPort> remembered = peers.load();
    if (!remembered.isEmpty()) {
      log.info("gossip rejoining members last seen alive count={} snapshot={}", remembered.size(), remembered);
    }
    try {
      membership = new AtomixMembership(gossipSettings(config, clock, remembered));
      membership.start();
    } catch (MembershipException | IllegalArgumentException e) {
      throw new StartupException("cannot join the mesh: " + e.getMessage(), e);
    }

    reconciler = new Reconciler(membership::view, networks, datapath, config.agent().resyncInterval(), RETRY, clock);
    membership.addListener(reconciler::wake);
    membership.addListener(() -> peers.save(membership.view()));
    for (VtepSpec spec : networks) {
      watches.add(datapath.watch(spec, reconciler::wake));
    }
    reconciler.start();

    api = new ApiServer(config.api().socket(), new AgentApi(config, networks, membership, reconciler, datapath, this::leave, startedNanos));
    try {
      api.start();
    } catch (IOException e) {
      throw new StartupException(e.getMessage(), e);
    }

    timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vxmesh-agent-timer");
      t.setDaemon(true);
      return t;
    });
    timers.execute(this::awaitReady);
    timers.scheduleWithFixedDelay(() -> notify.status(summary()), 5, 5, TimeUnit.SECONDS);
    notify.startWatchdog(() -> reconciler.healthy() && !exit.isDone());
  }

  private void awaitReady() {
    try {
      while (!exit.isDone() && !reconciler.awaitConverged(Duration.ofSeconds(1))) {
        // keep waiting: READY only after a complete view was reconciled
      }
      if (!exit.isDone()) {
        String s = summary();
        log.info("agent ready node={} {} startup_ms={}", config.nodeName(), s,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
        notify.ready(s);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Short status for systemd's STATUS= and the ready log line. */
  String summary() {
    var view = membership.view();
    long alive = view.members().stream().filter(m -> !m.self() && m.status().programmable()).count();
    Reconciler.Status st = reconciler.status();
    int installed = st.networks().values().stream().mapToInt(Reconciler.NetworkCounts::installed).sum();
    return "peers=" + alive + " installed=" + installed + " last_reconcile=" + st.lastResult();
  }

  /** Called by the API on {@code vxmesh leave}: depart, clean up, exit 0. Returns a message. */
  String leave() {
    log.info("agent leaving node={}", config.nodeName());
    membership.leave(LEAVE_WAIT);
    reconciler.close();
    int removed = 0;
    List<String> errors = new ArrayList<>();
    for (VtepSpec spec : networks) {
      var r = datapath.removeAllPeers(spec);
      removed += r.removed();
      r.errors().forEach(e -> errors.add(e.toString()));
    }
    log.info("agent left node={} objects_removed={} errors={}", config.nodeName(), removed, errors.size());
    // Exit once the response has been written.
    CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> exit.complete(errors.isEmpty() ? 0 : 1));
    return errors.isEmpty()
        ? "left the mesh; removed " + removed + " peer objects; agent exiting"
        : "left the mesh; " + errors.size() + " peer objects could not be removed: " + errors.get(0);
  }

  int awaitExit() {
    try {
      return exit.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (ExecutionException e) {
      return 1;
    }
  }

  /**
   * Stops everything in reverse order of {@link #start()}. Never leaves the mesh, never flushes
   * the kernel. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    exit.complete(0);
    log.info("agent stopping node={} (kernel state kept; peers keep our routes for the restart grace)", config.nodeName());
    notify.stopping();
    if (timers != null) {
      timers.shutdownNow();
    }
    notify.close();
    closeQuietly(api);
    watches.forEach(Agent::closeQuietly);
    closeQuietly(reconciler);
    closeQuietly(membership);
    closeQuietly(datapath);
    log.info("agent stopped node={}", config.nodeName());
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.warn("close failed part={} error={}", c.getClass().getSimpleName(), e.toString());
    }
  }

  /**
   * The gossip settings and our own announcement, from the configuration; the seeds are the
   * configured ones plus the members this host last saw alive ({@link PeerSnapshot}).
   */
  static GossipSettings gossipSettings(Config config, Clock clock, List<HostPort> remembered) {
    GossipConfig g = config.gossip();
    Map<Integer, IpPrefix> prefixes = new LinkedHashMap<>();
    for (NetworkConfig n : config.networks()) {
      prefixes.put(n.vni(), n.vtepAddress().network());
    }
    List<HostPort> seeds = java.util.stream.Stream.concat(g.join().stream(), remembered.stream())
        .distinct().toList();
    return new GossipSettings(config.nodeName(), g.advertise(), g.port(), g.bind(), seeds, config.key(), g.timers(),
        new ValidationContext(config.nodeName(), prefixes), announcement(config, clock), clock);
  }

  /** What this host tells the mesh about itself. */
  static Announced announcement(Config config, Clock clock) {
    String claims = config.networks().stream().map(n -> n.vni() + "=" + n.podCidr().network()).sorted()
        .reduce((x, y) -> x + "," + y).orElse("");
    List<Announced.Network> networks = config.networks().stream()
        .map(n -> new Announced.Network(n.vni(), n.port(), n.vtepMac(), n.vtepAddress(), n.podCidr(), n.mtu()))
        .toList();
    return new Announced(config.nodeName(), config.gossip().advertise(), networks, 0, Announced.State.ALIVE,
        ClaimStore.claimedAt(ClaimStore.stateDirectory(), claims, clock), Version.current());
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Start-up failed for a reason the operator must fix; the message says which. */
  static final class StartupException extends Exception {
    StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
