package io.vxmesh;

import io.vxmesh.api.ApiServer;
import io.vxmesh.cni.CniHandoff;
import io.vxmesh.config.Config;
import io.vxmesh.config.ConfigLoader;
import io.vxmesh.config.GossipConfig;
import io.vxmesh.config.HostInfo;
import io.vxmesh.config.NetworkConfig;
import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.datapath.VxlanFilter;
import io.vxmesh.gossip.Announced;
import io.vxmesh.gossip.AtomixMembership;
import io.vxmesh.gossip.GossipSettings;
import io.vxmesh.gossip.Membership;
import io.vxmesh.gossip.MembershipException;
import io.vxmesh.gossip.PeerSnapshot;
import io.vxmesh.gossip.ValidationContext;
import io.vxmesh.metrics.AgentMetrics;
import io.vxmesh.metrics.MetricsServer;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.JoinEntry;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.reconcile.Reconciler;
import io.vxmesh.systemd.SdNotify;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
 * The composition root: builds every part from the configuration, opens them in order, and
 * closes them in reverse. No DI framework; each part gets what it needs through its constructor.
 *
 * <p>Data flows one way: gossip (membership view) → reconciler (desired state) → datapath
 * (diff against a kernel dump, apply). The API only reads snapshots of those parts.
 *
 * <p>Life cycle in the manner of Aeron's media driver: {@link #launch} first builds and validates
 * everything that needs no outside effect (VTEP specs, the peer snapshot and the claim read from
 * the state directory, our announcement, the gossip settings, the API socket path), so a bad
 * setting fails before any kernel object, file or socket exists. Then it opens, in order: the
 * datapath and every VTEP device, the CNI files ({@link CniHandoff}), the stored claim, gossip
 * membership, the reconciler (nothing is removed until the first complete view), the device
 * watches, the API, the metrics endpoint (when {@code [metrics] listen} is set), the systemd
 * watchdog and the timers ({@code READY=1} once a complete view
 * has been reconciled). Each opened part is recorded; a failure closes what was opened, in reverse, and so does {@link #close()}.
 *
 * <p>SIGTERM stops without leaving and without flushing the kernel (hitless restart: peers keep
 * our routes for the restart grace). {@code vxmesh leave} announces departure, removes our peer
 * entries and exits 0.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  /** Exit code when the agent cannot start for a reason other than its config (EX_UNAVAILABLE). */
  public static final int EX_UNAVAILABLE = 69;
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final Duration LEAVE_WAIT = Duration.ofSeconds(1);

  private final Config config;
  private final Clock clock;
  private final SdNotify notify;
  private final CompletableFuture<Integer> exit;
  private final long startedNanos = System.nanoTime();

  // Built and validated by the constructor; nothing outside the process touched yet.
  private final List<VtepSpec> networks;
  private final PeerSnapshot peers;
  private final List<HostPort> remembered;
  private final ClaimStore.Claim claim;
  private final GossipSettings gossip;

  // Opened by open(), in order, before the API can call leave(); closed in reverse. Guarded by this.
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private Datapath datapath;
  private VxlanFilter filter;
  private Membership membership;
  private KeyringReload keyringReload;
  private Reconciler reconciler;
  private boolean closed;

  private Agent(Config config, Clock clock, SdNotify notify, CompletableFuture<Integer> exit) throws StartupException {
    this.config = config;
    this.clock = clock;
    this.notify = notify;
    this.exit = exit;
    this.networks = config.vtepSpecs();
    Path state = ClaimStore.stateDirectory();
    this.peers = PeerSnapshot.in(state);
    this.remembered = peers.load();
    this.claim = ClaimStore.read(state, claims(config), clock);
    try {
      this.gossip = gossipSettings(config, clock, remembered, claim.claimedAtMs(), peers.loadVotes());
    } catch (IllegalArgumentException e) {
      throw new StartupException("cannot join the mesh: " + e.getMessage(), e);
    }
    try {
      ApiServer.checkSocket(config.api().socket());
    } catch (IOException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  /**
   * Runs the daemon until SIGTERM/SIGINT or {@code vxmesh leave}; returns the process exit code:
   * 0 after a signal or a clean leave, {@link #EX_UNAVAILABLE} when it cannot start. The main
   * thread owns the whole life cycle: signals only complete the exit future, and everything is
   * closed once, here, in reverse order (no shutdown hook racing a second close).
   */
  public static int run(Config config) {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    // Resources close in reverse: the handlers stay until the agent is closed, so a second
    // SIGTERM while closing changes nothing; one during start-up takes effect once it is done.
    try (StopSignals signals = StopSignals.install(signal -> stopOnSignal(config, exit, signal));
        ReloadSignal reload = ReloadSignal.install();
        Agent agent = launch(config, Clock.systemUTC(), SdNotify.fromEnvironment(), exit)) {
      reload.target(agent::reloadKeyring);
      return agent.awaitExit();
    } catch (StartupException e) {
      System.err.println("vxmesh: " + e.getMessage());
      return EX_UNAVAILABLE;
    }
  }

  /**
   * Builds and validates every part, then opens them in order (see the class comment). On a
   * failure, what was opened is closed in reverse before the exception leaves. {@code exit}
   * carries the process exit code: completed by {@link #close()}, by {@code vxmesh leave}, and
   * by the caller's stop signal.
   */
  static Agent launch(Config config, Clock clock, SdNotify notify, CompletableFuture<Integer> exit)
      throws StartupException {
    log.info("agent starting node={} version={} advertise={} networks={} config={}", config.nodeName(), Version.current(),
        config.gossip().advertise().getHostAddress(), config.networks().size(), config.file());
    Agent agent = new Agent(config, clock, notify, exit);
    try {
      agent.open();
    } catch (Throwable t) {
      agent.close();
      throw t;
    }
    return agent;
  }

  /** SIGTERM/SIGINT (from the signal's own thread): stop with exit 0, without leaving the mesh. */
  private static void stopOnSignal(Config config, CompletableFuture<Integer> exit, String signal) {
    if (exit.complete(0)) {
      log.info("agent stop requested node={} signal=SIG{}", config.nodeName(), signal);
    }
  }

  private synchronized void open() throws StartupException {
    try {
      datapath = opened(Datapath.open());
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
    if (config.agent().vxlanFilter()) {
      try {
        filter = opened(VxlanFilter.open());
      } catch (RuntimeException e) {
        throw new StartupException("cannot open nftables (netlink) for the VXLAN filter: " + e.getMessage()
            + " (on a kernel without nf_tables set [agent] vxlan_filter = false)", e);
      }
    } else {
      log.warn("vxlan filter disabled ([agent] vxlan_filter = false): VXLAN is accepted from any sender");
    }

    try {
      opened(CniHandoff.open(config.cni(), config.networks().get(0)));
    } catch (IOException e) {
      throw new StartupException("cannot write the CNI files: " + e, e);
    }

    claim.store();
    if (!remembered.isEmpty()) {
      log.info("gossip rejoining members last seen alive count={} snapshot={}", remembered.size(), remembered);
    }
    try {
      membership = opened(new AtomixMembership(gossip));
    } catch (IllegalArgumentException e) {
      throw new StartupException("cannot join the mesh: " + e.getMessage(), e);
    }

    reconciler = opened(new Reconciler(membership::view, networks, datapath, filter, config.agent().resyncInterval(), RETRY,
        clock));
    AgentMetrics metrics = config.metrics().listen().isPresent()
        ? new AgentMetrics(membership::view, membership::stats, clock, Version.current()) : null;
    if (metrics != null) {
      reconciler.addPassListener(metrics);
    }
    membership.addListener(reconciler::membershipChanged);
    membership.addListener(() -> peers.save(membership.view()));
    for (VtepSpec spec : networks) {
      opened(datapath.watch(spec, reconciler::kernelChanged));
    }
    if (filter != null) {
      opened(filter.watch(reconciler::kernelChanged));
    }
    reconciler.start();

    ApiServer api = opened(new ApiServer(config.api().socket(),
        new AgentApi(config, networks, membership, reconciler, datapath, filter, this::leave, startedNanos)));
    try {
      api.start();
    } catch (IOException e) {
      throw new StartupException(e.getMessage(), e);
    }

    if (metrics != null) {
      HostPort listen = config.metrics().listen().get();
      try {
        MetricsServer server = opened(MetricsServer.start(listen, metrics.registry(), this::health));
        log.info("metrics listening address={} paths=/metrics,/healthz", new HostPort(listen.host(), server.port()));
      } catch (IOException e) {
        throw new StartupException(e.getMessage() + " (metrics.listen in " + config.file() + ")", e);
      }
    }

    // Join last: everything that answers for this host (reconciler, API, metrics) is up and its
    // code loaded before peers hear of us. On a busy host, start-up work done after joining
    // delayed the host proof answers and probe acks every peer waits for (bench join: a joiner
    // still starting its API server was suspected by the mesh it had just joined).
    try {
      membership.start();
      keyringReload = new KeyringReload(config.nodeName(), () -> ConfigLoader.readKeyring(config), config.keyring(),
          membership::useKeyring);
    } catch (MembershipException | IllegalArgumentException | IllegalStateException e) {
      // IllegalStateException: `vxmesh leave` arrived over the API before the join
      throw new StartupException("cannot join the mesh: " + e.getMessage(), e);
    }

    notify.startWatchdog(() -> health().ok());
    opened(notify);
    ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vxmesh-agent-timer");
      t.setDaemon(true);
      return t;
    });
    opened(timers::shutdownNow);
    timers.execute(this::awaitReady);
    timers.scheduleWithFixedDelay(() -> notify.status(summary()), 5, 5, TimeUnit.SECONDS);
  }

  /**
   * The verdict that gates the systemd watchdog pings and {@code /healthz}: the reconcile loop's
   * own ({@link Reconciler#health()}), and unhealthy once the agent is stopping.
   */
  Reconciler.Health health() {
    if (exit.isDone()) {
      return new Reconciler.Health(false, "agent stopping");
    }
    return reconciler.health();
  }

  /** Records {@code part} for closing (last opened, first closed). */
  private <T extends AutoCloseable> T opened(T part) {
    opened.push(part);
    return part;
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

  /**
   * SIGHUP: reads {@code gossip.key_file} again and hands the keys to gossip (key rotation);
   * only the key file is reloaded, other settings need a restart. See {@link KeyringReload}.
   */
  synchronized void reloadKeyring() {
    if (!closed && keyringReload != null) {
      keyringReload.reload();
    }
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
    if (filter != null) {
      try { // like the peers' routes, the members go; the table stays, like the VTEP device
        removed += filter.converge(ports(), java.util.Set.of(), true).plan().membersDel().size();
      } catch (RuntimeException e) {
        errors.add("vxlan filter: " + e.getMessage());
      }
    }
    log.info("agent left node={} objects_removed={} errors={}", config.nodeName(), removed, errors.size());
    // Exit once the response has been written.
    CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> exit.complete(errors.isEmpty() ? 0 : 1));
    return errors.isEmpty()
        ? "left the mesh; removed " + removed + " peer objects; agent exiting"
        : "left the mesh; " + errors.size() + " peer objects could not be removed: " + errors.get(0);
  }

  private java.util.Set<Integer> ports() {
    return networks.stream().map(VtepSpec::port).collect(java.util.stream.Collectors.toSet());
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
   * Closes every opened part in reverse order of opening. Never leaves the mesh, never flushes
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
    while (!opened.isEmpty()) {
      closeQuietly(opened.pop());
    }
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
  static GossipSettings gossipSettings(Config config, Clock clock, List<HostPort> remembered, long claimedAtMs,
      List<String> votes) {
    GossipConfig g = config.gossip();
    Map<Integer, IpPrefix> prefixes = new LinkedHashMap<>();
    for (NetworkConfig n : config.networks()) {
      prefixes.put(n.vni(), n.vtepAddress().network());
    }
    List<HostPort> literal = g.join().stream().filter(JoinEntry.Literal.class::isInstance)
        .map(e -> ((JoinEntry.Literal) e).address()).toList();
    List<JoinEntry.Name> names = g.join().stream().filter(JoinEntry.Name.class::isInstance)
        .map(JoinEntry.Name.class::cast).toList();
    List<HostPort> seeds = java.util.stream.Stream.concat(literal.stream(), remembered.stream())
        .distinct().toList();
    return new GossipSettings(config.nodeName(), g.advertise(), g.port(), g.bind(), seeds, names, config.keyring(), g.timers(),
        new ValidationContext(config.nodeName(), prefixes, underlaySubnets(config)),
        announcement(config, claimedAtMs).withUpheld(votes), clock, g.maxMembers(), g.protocol());
  }

  /**
   * The subnets of this host's underlay devices, which no member's pod CIDR may overlap (it would
   * route this host's own underlay into the tunnel and cut gossip off): read from the host now.
   */
  private static List<IpPrefix> underlaySubnets(Config config) {
    HostInfo host = HostInfo.system();
    return config.networks().stream().map(NetworkConfig::underlay).distinct()
        .flatMap(d -> host.ipv4Subnets(d).stream().map(IpPrefix::network)).distinct().toList();
  }

  /** What this host tells the mesh about itself. */
  static Announced announcement(Config config, long claimedAtMs) {
    List<Announced.Network> networks = config.networks().stream()
        .map(n -> new Announced.Network(n.vni(), n.port(), n.vtepMac(), n.vtepAddress(), n.podCidr(), n.mtu()))
        .toList();
    return new Announced(config.nodeName(), config.gossip().advertise(), networks, 0, Announced.State.ALIVE,
        claimedAtMs, Version.current());
  }

  /** The canonical text of our pod CIDR claims ({@link ClaimStore}): "vni=cidr,..." sorted. */
  static String claims(Config config) {
    return config.networks().stream().map(n -> n.vni() + "=" + n.podCidr().network()).sorted()
        .reduce((x, y) -> x + "," + y).orElse("");
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
