package io.vxmesh.gossip;

import io.atomix.cluster.BootstrapService;
import io.atomix.cluster.Member;
import io.atomix.cluster.impl.DefaultClusterMembershipService;
import io.atomix.cluster.impl.DefaultNodeDiscoveryService;
import io.atomix.cluster.messaging.BroadcastService;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.cluster.messaging.UnicastService;
import io.atomix.cluster.protocol.SwimMembershipProtocol;
import io.atomix.cluster.protocol.SwimMembershipProtocolConfig;
import io.atomix.utils.Version;
import io.atomix.utils.net.Address;
import io.vxmesh.net.HostPort;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Membership} over Atomix 3.1.12 SWIM, assembled from Atomix's public impl classes so
 * that vxmesh owns the transports (see FACTS.md for the behaviours handled here):
 * <ul>
 *   <li>UDP gossip and TCP messages are authenticated with the cluster key before Atomix's Kryo
 *       sees them ({@link AuthenticatedUnicast}, {@link GossipMessaging}); unauthenticated TCP
 *       input costs bounded memory before anything is buffered ({@link SourceGuard});
 *   <li>probe timeouts are enforced by vxmesh, so a frozen peer is detected like a crashed one;
 *   <li>re-join: seeds and recently seen members are re-probed with backoff
 *       ({@link RejoiningDiscovery}), so partitions heal on their own;
 *   <li>the announcement is one member property, overwritten and never removed;
 *   <li>the keyring can be replaced while running ({@link #useKeyring}): key rotation without a
 *       restart or a split;
 *   <li>the view is level-triggered state ({@link #view()}); Atomix's remove/add pair on a
 *       restart never shows, and a member that announced RESTARTING stays programmable for the
 *       restart grace period after it vanished;
 *   <li>a duplicate node name alive at another address makes {@link #start()} fail instead of
 *       fighting over the id.
 * </ul>
 *
 * <p>Threading: the view is recomputed on one private thread ("vxmesh-gossip-view") on every
 * Atomix event and every gossip interval; listeners run there.
 */
public final class AtomixMembership implements Membership {
  private static final Logger log = LoggerFactory.getLogger(AtomixMembership.class);
  static final String WHOIS = "vxmesh-whois";
  static final String MEMBERS = "vxmesh-members";
  /** Host proof challenge: nonce in, nonce + our node name out ({@link HostProver}). */
  static final String PROVE = "vxmesh-prove";
  /** The answer to a {@link #PROVE} datagram, sent back to the challenger's gossip address. */
  static final String PROVE_ANSWER = "vxmesh-prove-answer";
  private static final String SYNC = "atomix-membership-sync";
  private static final String PROBE = "atomix-membership-probe";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration WHOIS_TIMEOUT = Duration.ofMillis(1000);
  /**
   * How long start() waits for the first lookup of the seed names, so that with working DNS a
   * name joins exactly like an IP (name check, join sync). A name still unresolved then is
   * retried by the discovery; start() goes on with what it has.
   */
  private static final Duration FIRST_LOOKUP_WAIT = Duration.ofSeconds(3);
  private static final Duration PROVE_TIMEOUT = Duration.ofMillis(1000);
  /** Least time between two event-driven view passes (see refreshSoon). */
  private static final Duration MIN_PASS_SPACING = Duration.ofMillis(50);
  /**
   * How long the view pass a new member triggers waits for the answer to its host proof (which
   * triggers a pass itself), so that the member is listed once, proven, instead of unproven first
   * and proven one answer later. A pass validates every member: on a 2-core box running 20
   * agents a join cost every peer two to three of them, and they were the largest share of the
   * peers' CPU during a join (bench join, JFR). Answers take 1-200 ms there.
   */
  private static final Duration NEWCOMER_PROOF_WAIT = Duration.ofMillis(250);
  /** The periodic view pass with vxmesh's protocol (changes trigger a pass at once). */
  private static final Duration IDLE_REFRESH = Duration.ofSeconds(1);
  /** Members looked up per completeness check; the rest come with the next check. */
  private static final int MAX_INTRODUCTIONS = 16;

  private final GossipSettings settings;
  private final GossipSettings.GossipTimers timers;
  private final AnnouncementCodec codec;
  private final MemberTracker tracker;
  private final MemberAdmission admission;
  private final HostProver prover; // view thread
  /** Challenges in flight by nonce (view thread). */
  private final Map<java.nio.ByteBuffer, HostProver.Challenge> challenges = new java.util.HashMap<>();
  private final PacketAuth auth;
  private final Rejections rejections;
  private final SourceGuard guard;
  private final PacketFilter filter;
  private final Address localAddress;
  private final HostPort localHostPort;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService viewThread;

  private GossipMessaging messaging;
  private AuthenticatedUnicast unicast;
  private final JoinResolver resolver;
  private volatile RejoiningDiscovery discovery;
  private DefaultClusterMembershipService atomix;
  /** The vxmesh protocol when {@link GossipSettings#protocol()} selects it, else null. */
  private volatile VxmeshSwimProtocol swim;

  private final Object lifecycle = new Object();
  private volatile boolean running;
  private volatile boolean stopped;
  private volatile Announced current;
  private volatile MembershipView view;
  private volatile boolean synced;
  private volatile Set<HostPort> liveHostPorts = Set.of();
  private volatile Keyring keyring;
  private volatile Map<String, Integer> signers = Map.of(); // written by the view thread
  private final Object refreshLock = new Object();
  /** When the queued view pass runs (System.nanoTime), Long.MAX_VALUE when none is queued; guarded by refreshLock. */
  private long queuedRefreshAt = Long.MAX_VALUE;

  // Owned by the view thread.
  private volatile long startedAtMs;
  private boolean complete;
  private long lastSyncAskMs;
  private volatile long lastPassNanos = System.nanoTime() - Duration.ofSeconds(1).toNanos();
  private long revision;

  public AtomixMembership(GossipSettings settings) {
    this(settings, PacketFilter.PASS_ALL);
  }

  /** @param filter what the transports let through; tests cut links with it, the agent passes all */
  AtomixMembership(GossipSettings settings, PacketFilter filter) {
    this(settings, filter, settings.seedNames().isEmpty() ? null : new DnsJoinResolver());
  }

  /** @param resolver looks up the seed names; null when there are none */
  AtomixMembership(GossipSettings settings, PacketFilter filter, JoinResolver resolver) {
    this.settings = settings;
    this.resolver = resolver;
    this.filter = filter;
    this.timers = settings.timers();
    this.keyring = settings.keyring();
    this.codec = new AnnouncementCodec(keyring);
    this.tracker = new MemberTracker(settings.nodeName(), codec, new Validator(settings.validation()), timers,
        settings.maxMembers());
    if (settings.protocol() == GossipProtocol.VXMESH) {
      // Lifeguard decides when a suspect is dead (its timeout grows with the mesh, shrinks with
      // confirmations): a fixed timeout of our own on top would undo exactly that.
      this.tracker.trustProtocolSuspicion();
    }
    this.admission = new MemberAdmission(settings.nodeName(), settings.maxMembers(), settings.clock()::millis);
    this.auth = new PacketAuth(keyring, settings.clock());
    this.rejections = new Rejections(settings.clock());
    this.guard = new SourceGuard(SourceGuard.Limits.defaults());
    this.prover = new HostProver(timers.restartGrace().toMillis() + 60_000);
    this.tracker.rememberVotes(settings.announcement().upheld(),
        settings.clock().millis() + timers.restartGrace().toMillis() + timers.joinTimeout().toMillis());
    this.localHostPort = new HostPort(settings.advertise(), settings.port());
    this.localAddress = AtomixAddresses.address(localHostPort);
    long now = settings.clock().millis();
    Announced a = settings.announcement();
    this.current = a.withGeneration(Math.max(a.generation(), now))
        .withClaimedAtMs(a.claimedAtMs() != 0 ? a.claimedAtMs() : now);
    this.view = new MembershipView(0, false, List.of());
    this.viewThread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vxmesh-gossip-view");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void start() throws MembershipException {
    synchronized (lifecycle) {
      if (running || stopped) {
        throw new IllegalStateException("membership can be started once");
      }
      startedAtMs = settings.clock().millis();
      try {
        discovery = new RejoiningDiscovery(localHostPort, settings.seeds(), settings.seedNames(), resolver,
            settings.clock(), timers.probeInterval(), timers.rejoinMaxBackoff(), () -> liveHostPorts);
        resolveSeedNames();
        startTransports();
        refuseDuplicateName();
        startAtomix();
      } catch (MembershipException e) {
        stopQuietly();
        throw e;
      } catch (RuntimeException e) {
        stopQuietly();
        throw new MembershipException("gossip start failed on " + localHostPort + ": " + e.getMessage(), e);
      }
      running = true;
    }
    // Atomix's SWIM misses events, so its view is re-read every gossip interval; vxmesh's protocol
    // reports every change, and the periodic pass only serves the time-based rules (restart
    // grace, reaping, host proof retries): once a second is plenty, and 100 members in one
    // JVM no longer spend their idle CPU re-reading unchanged views.
    long periodMs = swim != null ? Math.max(IDLE_REFRESH.toMillis(), timers.gossipInterval().toMillis())
        : timers.gossipInterval().toMillis();
    viewThread.scheduleWithFixedDelay(this::refreshSafely, 0, periodMs, TimeUnit.MILLISECONDS);
    log.info("gossip started node={} address={} seeds={}", settings.nodeName(), localHostPort, seedsText());
  }

  /** The configured seeds for log lines: IPs, then names. */
  private String seedsText() {
    List<String> all = new ArrayList<>();
    settings.seeds().forEach(s -> all.add(s.toString()));
    settings.seedNames().forEach(n -> all.add(n.toString()));
    return all.toString();
  }

  /** The first join attempt of the seed names, bounded by {@link #FIRST_LOOKUP_WAIT}. */
  private void resolveSeedNames() throws MembershipException {
    if (settings.seedNames().isEmpty()) {
      return;
    }
    try {
      discovery.resolveNamesNow().get(FIRST_LOOKUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MembershipException("interrupted while resolving the seed names");
    } catch (ExecutionException | TimeoutException e) {
      log.info("gossip join names still resolving after {} ms, joining with what is known names={}",
          FIRST_LOOKUP_WAIT.toMillis(), settings.seedNames());
    }
  }

  private void startTransports() throws MembershipException {
    String bindHost = settings.bind().getHostAddress();
    InetSocketAddress bind = new InetSocketAddress(settings.bind(), settings.port());
    messaging = new GossipMessaging(localHostPort, bind, auth, rejections, guard, filter, this::onProbeSent,
        timers.probeTimeout().multipliedBy(3));
    unicast = new AuthenticatedUnicast(bind, auth, rejections, filter, settings.nodeName());
    await(messaging.start(), "listen on gossip TCP " + bindHost + ":" + settings.port());
    messaging.registerHandler(PROVE,
        (java.util.function.BiFunction<Address, byte[], byte[]>) (from, payload) -> HostProver.answer(payload, settings.nodeName()),
        (java.util.concurrent.Executor) Runnable::run); // tiny and never blocks: answer on the I/O thread
    await(unicast.start(), "listen on gossip UDP " + bindHost + ":" + settings.port());
    // Host proofs go over UDP: over TCP, every member of an N-host mesh opened a connection to
    // every other at join (N² connections; at 100 members in one JVM the bench ran out of file
    // descriptors, and at 1,000 hosts each would face 999 inbound connections against
    // SourceGuard's 256). The datagram is authenticated like all gossip; the answer counts
    // when it carries the nonce, which only went to the challenged ip:port (its source address
    // is not compared: a host with several addresses may answer from another one).
    unicast.addListener(PROVE, (from, payload) -> unicast.unicast(from, PROVE_ANSWER,
        HostProver.answer(payload, settings.nodeName())), Runnable::run);
    unicast.addListener(PROVE_ANSWER, this::proofAnswered, viewThread);
  }

  private void onProbeSent(Address to, String type) {
    RejoiningDiscovery d = discovery;
    if (d != null && (type.equals(PROBE) || type.equals(SYNC))) {
      d.probed(to, type.equals(SYNC));
    }
  }

  /** Asks every seed whether our name is already alive elsewhere (FACTS.md: two would fight forever). */
  private void refuseDuplicateName() throws MembershipException {
    List<CompletableFuture<byte[]>> asks = new ArrayList<>();
    List<HostPort> asked = new ArrayList<>();
    for (HostPort seed : discovery.seedAddresses()) {
      if (seed.equals(localHostPort)) {
        continue;
      }
      asked.add(seed);
      asks.add(messaging.sendAndReceive(AtomixAddresses.address(seed), WHOIS, settings.nodeName().getBytes(StandardCharsets.UTF_8), false, WHOIS_TIMEOUT));
    }
    for (int i = 0; i < asks.size(); i++) {
      Whois w;
      try {
        w = Whois.parse(asks.get(i).get(WHOIS_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MembershipException("interrupted while joining");
      } catch (ExecutionException | TimeoutException e) {
        log.debug("gossip seed did not answer whois seed={} error={}", asked.get(i), e.toString());
        continue;
      }
      if (w != null && w.reachable() && !w.hostPort().equals(localHostPort)) {
        throw new MembershipException("node name '" + settings.nodeName() + "' is already alive at " + w.hostPort()
            + " (reported by seed " + asked.get(i) + "); refusing to join as " + localHostPort
            + ": stop the other agent or give this host another node_name");
      }
    }
  }

  private void startAtomix() throws MembershipException {
    Properties props = new Properties();
    props.setProperty(AnnouncementCodec.PROPERTY, codec.seal(current));
    Member local = Member.builder()
        .withId(settings.nodeName())
        .withAddress(localAddress)
        .withProperties(props)
        .build();
    SwimMembershipProtocolConfig pc = new SwimMembershipProtocolConfig()
        .setGossipInterval(timers.gossipInterval())
        .setGossipFanout(timers.gossipFanout())
        .setProbeInterval(timers.probeInterval())
        .setProbeTimeout(timers.probeTimeout())
        .setSuspectProbes(timers.suspectProbes())
        .setFailureTimeout(timers.failureTimeout())
        .setBroadcastUpdates(true)
        .setBroadcastDisputes(true)
        .setNotifySuspect(true)
        .setRetainTombstones(true);
    boolean ours = settings.protocol() == GossipProtocol.VXMESH;
    BootstrapService bootstrap = new BootstrapService() {
      // What SWIM sends and receives; members beyond the limit never reach Atomix's SWIM (the
      // vxmesh protocol bounds its own table, SwimNode#limitMembers).
      private final MessagingService admittedMessaging = ours ? messaging : admission.messaging(messaging);
      private final UnicastService admittedUnicast = ours ? unicast : admission.unicast(unicast);

      @Override
      public MessagingService getMessagingService() {
        return admittedMessaging;
      }

      @Override
      public UnicastService getUnicastService() {
        return admittedUnicast;
      }

      @Override
      public BroadcastService getBroadcastService() {
        return NO_BROADCAST;
      }
    };
    io.atomix.cluster.protocol.GroupMembershipProtocol protocol;
    if (ours) {
      RejoiningDiscovery d = discovery;
      swim = new VxmeshSwimProtocol(VxmeshSwimProtocol.configFor(timers), settings.maxMembers(), () -> {
        d.getNodes(); // starts the due lookups of seed names
        return d.seedAddresses();
      }, timers.rejoinMaxBackoff());
      protocol = swim;
    } else {
      protocol = SwimMembershipProtocol.TYPE.newProtocol(pc);
    }
    atomix = new DefaultClusterMembershipService(local, Version.from("1.0.0"),
        new DefaultNodeDiscoveryService(bootstrap, local, discovery), bootstrap, protocol);
    atomix.addListener(event -> {
      if (swim != null && event.type() == io.atomix.cluster.ClusterMembershipEvent.Type.MEMBER_ADDED) {
        proveSoon(event.subject()); // queues the view pass too
        return;
      }
      refreshSoon();
    });
    await(atomix.start(), "start SWIM membership");
    messaging.registerHandler(MEMBERS,
        (java.util.function.BiFunction<Address, byte[], byte[]>) (from, payload) -> liveMemberNames(),
        viewThread);
    messaging.registerHandler(WHOIS,
        (java.util.function.BiFunction<Address, byte[], byte[]>) (from, payload) -> whois(new String(payload, StandardCharsets.UTF_8)),
        viewThread);
  }

  /** Multicast is never used; Atomix only needs something to hand out. */
  private static final BroadcastService NO_BROADCAST = new BroadcastService() {
    @Override
    public void broadcast(String subject, byte[] message) {}

    @Override
    public void addListener(String subject, java.util.function.Consumer<byte[]> listener) {}

    @Override
    public void removeListener(String subject, java.util.function.Consumer<byte[]> listener) {}
  };

  /** Answers "where and how is member {@code name}?" from our Atomix view (authenticated request). */
  private byte[] whois(String name) {
    DefaultClusterMembershipService a = atomix;
    if (a == null) {
      return new byte[0];
    }
    for (Member m : a.getMembers()) {
      if (m.id().id().equals(name)) {
        AnnouncementCodec.Decoded d = codec.open(m.properties().getProperty(AnnouncementCodec.PROPERTY));
        long gen = d.announcement().map(Announced::generation).orElse(-1L);
        boolean reachable = m.id().equals(a.getLocalMember().id()) || m.isReachable();
        return new Whois(AtomixAddresses.hostPort(m.address()), gen, reachable).encode();
      }
    }
    return new byte[0];
  }

  /** Answers "which members do you hold as live?" (newline-separated names, self included). */
  private byte[] liveMemberNames() {
    DefaultClusterMembershipService a = atomix;
    if (a == null) {
      return new byte[0];
    }
    StringBuilder b = new StringBuilder();
    for (Member m : a.getMembers()) {
      if (m.isReachable() || m.id().equals(a.getLocalMember().id())) {
        b.append(m.id().id()).append('\n');
      }
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Answer to {@link #WHOIS}: {@code host:port generation reachable}. */
  record Whois(HostPort hostPort, long generation, boolean reachable) {
    byte[] encode() {
      return (hostPort + " " + generation + " " + reachable).getBytes(StandardCharsets.UTF_8);
    }

    static Whois parse(byte[] b) {
      String[] f = new String(b, StandardCharsets.UTF_8).split(" ");
      if (f.length != 3) {
        return null;
      }
      try {
        return new Whois(HostPort.parse(f[0]), Long.parseLong(f[1]), Boolean.parseBoolean(f[2]));
      } catch (IllegalArgumentException e) { // NumberFormatException included
        return null;
      }
    }
  }

  private static <T> T await(CompletableFuture<T> f, String what) throws MembershipException {
    try {
      return f.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MembershipException("interrupted: " + what);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      throw new MembershipException("cannot " + what + ": " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new MembershipException("cannot " + what + ": timed out after " + START_TIMEOUT.toSeconds() + " s");
    }
  }

  @Override
  public MembershipView view() {
    return view;
  }

  @Override
  public void addListener(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public void announce(Announced self) {
    synchronized (lifecycle) {
      publish(self.withUpheld(current.upheld())); // our votes are the tracker's, not the caller's
    }
  }

  private Announced publish(Announced next) {
    Announced a;
    synchronized (lifecycle) {
      Announced prev = current;
      if (next.claimedAtMs() == 0) {
        next = next.withClaimedAtMs(prev.claimedAtMs());
      }
      a = next.withGeneration(Math.max(prev.generation() + 1, settings.clock().millis()));
      current = a;
      DefaultClusterMembershipService at = atomix;
      if (at != null && running) {
        // Overwrite, never remove: a removed property never reaches peers (FACTS.md).
        String sealed = codec.seal(a);
        at.getLocalMember().properties().setProperty(AnnouncementCodec.PROPERTY, sealed);
        VxmeshSwimProtocol p = swim;
        if (p != null) {
          p.announce(sealed);
        }
      }
    }
    viewThread.execute(this::refreshSafely);
    return a;
  }

  @Override
  public void useKeyring(Keyring next) {
    Keyring prev;
    synchronized (lifecycle) {
      prev = keyring;
      keyring = next;
      auth.use(next);
      codec.use(next);
    }
    log.info("gossip keyring in use node={} primary={} accepted={}", settings.nodeName(), next.primary().fingerprint(),
        next.fingerprints());
    try {
      viewThread.execute(tracker::reverify);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return; // stopped: nothing to re-sign or re-verify
    }
    if (!prev.primary().equals(next.primary())) {
      publish(current); // re-signed with the new primary key (peers must accept it already)
    }
  }

  @Override
  public KeyringStatus keyring() {
    Keyring k = keyring;
    Map<String, Integer> used = signers;
    List<KeyringStatus.Key> keys = new ArrayList<>();
    for (ClusterKey key : k.keys()) {
      keys.add(new KeyringStatus.Key(key.fingerprint(), key.equals(k.primary()), used.getOrDefault(key.fingerprint(), 0)));
    }
    int peers = used.values().stream().mapToInt(Integer::intValue).sum();
    return new KeyringStatus(keys, peers, used.getOrDefault("", 0));
  }

  @Override
  public void leave(Duration maxWait) {
    departAndStop(Announced.State.LEAVING, maxWait);
  }

  @Override
  public void close() {
    departAndStop(Announced.State.RESTARTING, timers.leaveWait());
  }

  private void departAndStop(Announced.State state, Duration maxWait) {
    synchronized (lifecycle) {
      if (stopped) {
        return;
      }
      if (running) {
        Announced a = publish(current.withState(state));
        log.info("gossip announcing node={} state={} generation={}", settings.nodeName(), state, a.generation());
        int[] seen = awaitSpread(a.generation(), maxWait);
        log.info("gossip departure seen node={} state={} peers={}/{}", settings.nodeName(), state, seen[0], seen[1]);
      }
      stopQuietly();
    }
  }

  /** Polls every reachable peer until it reports our generation or the deadline passes; {seen, total}. */
  private int[] awaitSpread(long generation, Duration maxWait) {
    List<Address> peers = new ArrayList<>();
    for (Member m : atomix.getMembers()) {
      if (!m.id().equals(atomix.getLocalMember().id()) && m.isReachable()) {
        peers.add(m.address());
      }
    }
    long deadline = System.nanoTime() + maxWait.toNanos();
    Set<Address> confirmed = new HashSet<>();
    byte[] me = settings.nodeName().getBytes(StandardCharsets.UTF_8);
    while (confirmed.size() < peers.size() && System.nanoTime() < deadline) {
      long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      Duration t = Duration.ofMillis(Math.min(leftMs, 250));
      List<CompletableFuture<Void>> round = new ArrayList<>();
      for (Address p : peers) {
        if (!confirmed.contains(p)) {
          round.add(messaging.sendAndReceive(p, WHOIS, me, false, t).handle((r, e) -> {
            Whois w = e == null ? Whois.parse(r) : null;
            if (w != null && w.generation() >= generation) {
              synchronized (confirmed) {
                confirmed.add(p);
              }
            }
            return null;
          }));
        }
      }
      CompletableFuture.allOf(round.toArray(CompletableFuture[]::new)).join();
      synchronized (confirmed) {
        if (confirmed.size() < peers.size()) {
          // Give gossip one interval before asking again (bounded by the deadline).
          CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(
              Math.min(timers.gossipInterval().toMillis(), leftMs), TimeUnit.MILLISECONDS)).join();
        }
      }
    }
    return new int[] {confirmed.size(), peers.size()};
  }

  private void stopQuietly() {
    stopped = true;
    running = false;
    viewThread.shutdownNow();
    if (resolver != null) {
      resolver.close();
    }
    try {
      if (atomix != null) {
        atomix.stop().get(2, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      log.debug("gossip SWIM stop failed error={}", e.toString());
    }
    try {
      if (unicast != null) {
        unicast.stop().get(2, TimeUnit.SECONDS);
      }
      if (messaging != null) {
        // Netty closes the listening socket first, then winds its event loops down; don't
        // make leave()/close() wait for that.
        messaging.stop().get(300, TimeUnit.MILLISECONDS);
      }
    } catch (TimeoutException e) {
      log.debug("gossip transport still winding down in the background");
    } catch (Exception e) {
      log.debug("gossip transport stop failed error={}", e.toString());
    }
    log.info("gossip stopped node={}", settings.nodeName());
  }

  @Override
  public ForceLeave forceLeave(String node, boolean prune) {
    // The tracker belongs to the view thread: forget there, then recompute the view at once.
    try {
      return viewThread.submit(() -> {
        ForceLeave r = tracker.forceLeave(node, prune, settings.clock().millis());
        if (r.done()) {
          refreshSafely();
        }
        return r;
      }).get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.RejectedExecutionException | java.util.concurrent.ExecutionException | TimeoutException e) {
      return new ForceLeave(false, "gossip is not running or busy: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ForceLeave(false, "interrupted");
    }
  }

  @Override
  public GossipStats stats() {
    VxmeshSwimProtocol p = swim;
    return new GossipStats(rejections.total(), rejections.bySource(), tracker.rejectedAnnouncements(),
        rejections.byReason(), tracker.rejectedAnnouncementsByReason(), auth.traffic(),
        admission.refused() + (p == null ? 0 : p.refusedMembers()));
  }

  /** Bytes of unauthenticated TCP frames buffered right now (tests: the budget holds under attack). */
  long tcpBytesInFlight() {
    return guard.bytesInFlight();
  }

  // ---------------------------------------------------------------- view computation

  /**
   * Queues one refresh unless one is queued already: Atomix posts an event per member, and a
   * gossip message about a thousand new members must cost one pass over the view, not a thousand
   * (each pass is O(members); a thousand of them starved SWIM's probe answers until peers declared
   * this agent failed, issue 12).
   */
  private void refreshSoon() {
    refreshWithin(0);
  }

  /**
   * Queues one view pass to run after at most {@code delayNanos} (and at most one event-driven
   * pass per MIN_PASS_SPACING: while 100 members join, events arrive every few ms and
   * back-to-back passes starved the protocol's own thread until peers declared this agent failed,
   * bench spread) unless a pass is queued to run by then already. A lone event still runs at once;
   * a sooner request overtakes a later queued one, which then does nothing.
   */
  private void refreshWithin(long delayNanos) {
    long now = System.nanoTime();
    long at = now + Math.max(delayNanos, lastPassNanos + MIN_PASS_SPACING.toNanos() - now);
    synchronized (refreshLock) {
      if (queuedRefreshAt <= at) {
        return;
      }
      queuedRefreshAt = at;
    }
    try {
      viewThread.schedule(() -> {
        synchronized (refreshLock) {
          if (queuedRefreshAt != at) {
            return; // overtaken by a sooner pass
          }
          queuedRefreshAt = Long.MAX_VALUE;
        }
        refreshSafely();
      }, Math.max(0, at - now), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      synchronized (refreshLock) { // stopping
        if (queuedRefreshAt == at) {
          queuedRefreshAt = Long.MAX_VALUE;
        }
      }
    }
  }

  private void refreshSafely() {
    lastPassNanos = System.nanoTime();
    try {
      refresh();
    } catch (RuntimeException e) {
      if (stopped) {
        // A refresh that was running while we stopped (its follow-up is rejected by the view
        // thread shutting down): expected on every stop, not a warning.
        log.debug("gossip view refresh cut short by stop node={} error={}", settings.nodeName(), e.toString());
        return;
      }
      log.warn("gossip view refresh failed node={} error={}", settings.nodeName(), e.toString(), e);
    }
  }

  private void refresh() {
    DefaultClusterMembershipService a = atomix;
    if (a == null || !running) {
      return;
    }
    // Read "joined" before the member list: the protocol publishes its list first, then the
    // flag, so a list read after the flag holds at least the seed's whole table. The other
    // order declared a restarted agent's view complete with itself alone, and the reconciler
    // removed every peer (FaultsE2ETest's hitless restart lost a packet).
    VxmeshSwimProtocol p = swim;
    boolean protocolJoined = p != null && p.joined();
    long now = settings.clock().millis();
    List<MemberTracker.Observation> listed = new ArrayList<>();
    Set<HostPort> live = new HashSet<>();
    List<String> reachable = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Member m : a.getMembers()) {
      String name = m.id().id();
      names.add(name);
      if (name.equals(settings.nodeName())) {
        continue;
      }
      listed.add(observe(m));
      if (m.isReachable()) {
        live.add(AtomixAddresses.hostPort(m.address()));
        reachable.add(name);
        if (p == null) {
          discovery.seen(name, m.address()); // re-join candidates for Atomix's probe loop; vxmesh's protocol keeps its own
        }
      }
    }
    liveHostPorts = Set.copyOf(live);
    admission.known(names);
    prover.due(listed, now).forEach(this::challenge);
    List<MemberTracker.Observation> others = new ArrayList<>();
    for (MemberTracker.Observation o : listed) {
      others.add(new MemberTracker.Observation(o.name(), o.address(), o.property(), o.reachable(),
          prover.proof(o.name(), o.address())));
    }
    MemberTracker.Observation me = new MemberTracker.Observation(settings.nodeName(), localHostPort,
        a.getLocalMember().properties().getProperty(AnnouncementCodec.PROPERTY), true);
    List<MemberState> members = tracker.update(me, others, now);
    signers = Map.copyOf(tracker.signers());
    if (!tracker.upheld().equals(current.upheld())) {
      Announced voted = publish(current.withUpheld(tracker.upheld()));
      log.info("claims upheld node={} upheld={} generation={}", settings.nodeName(), voted.upheld(), voted.generation());
    }

    if (p != null && !synced && protocolJoined) {
      // The join was a push-pull: the seed's whole table arrived in one answer.
      synced = true;
      log.info("gossip view complete node={} members={}", settings.nodeName(), names.size());
    }
    // A (re)started agent removes nothing before its view is complete: that includes having
    // asked every reachable member to prove its address, or they would be dropped as unproven.
    boolean nowComplete = complete || (computeComplete(now)
        && (prover.settled(reachable) || now - startedAtMs >= timers.joinTimeout().toMillis()));
    if (!synced && hasOtherSeeds() && p == null) {
      askForFullView(now);
    }
    MembershipView prev = view;
    if (!members.equals(prev.members()) || nowComplete != prev.complete()) {
      complete = nowComplete;
      view = new MembershipView(++revision, nowComplete, members);
      for (Runnable l : listeners) {
        try {
          l.run();
        } catch (RuntimeException ex) {
          log.warn("gossip listener failed error={}", ex.toString());
        }
      }
    }
  }

  /**
   * Challenges a member the protocol has just added, at once, not in the next view pass: that
   * pass may wait for the pass spacing, and the proof round trip is the longest step of a join
   * (bench join --show-logs). The pass then finds the challenge in flight and sends no other.
   * When a challenge went out, the pass waits for its answer (up to {@link #NEWCOMER_PROOF_WAIT};
   * the answer queues a pass at once), so the newcomer is listed proven in one pass.
   */
  private void proveSoon(Member m) {
    try {
      viewThread.execute(() -> {
        if (!running || m.id().id().equals(settings.nodeName())) {
          refreshSoon();
          return;
        }
        List<HostProver.Challenge> sent = prover.due(List.of(observe(m)), settings.clock().millis());
        sent.forEach(this::challenge);
        refreshWithin(sent.isEmpty() ? 0 : NEWCOMER_PROOF_WAIT.toNanos());
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // stopping
    }
  }

  /** What the tracker and the prover take from an Atomix member. */
  private static MemberTracker.Observation observe(Member m) {
    return new MemberTracker.Observation(m.id().id(), AtomixAddresses.hostPort(m.address()),
        m.properties().getProperty(AnnouncementCodec.PROPERTY), m.isReachable());
  }

  /** Sends one host proof challenge; the answer is recorded on the view thread, which then refreshes. */
  private void challenge(HostProver.Challenge c) {
    java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(c.nonce());
    challenges.put(key, c);
    unicast.unicast(AtomixAddresses.address(c.address()), PROVE, c.payload());
    viewThread.schedule(() -> {
      if (challenges.remove(key) == c) {
        prover.failed(c);
        log.debug("member host proof unanswered node={} address={} after_ms={}", c.name(), c.address(),
            PROVE_TIMEOUT.toMillis());
        refreshSoon(); // coalesced: 99 answers at a join are one pass, not 99
      }
    }, PROVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** An answer to one of our challenges (view thread), matched by its nonce. */
  private void proofAnswered(Address from, byte[] answer) {
    if (answer.length < HostProver.NONCE_BYTES) {
      return;
    }
    java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(answer, HostProver.NONCE_BYTES));
    HostProver.Challenge c = challenges.get(key);
    if (c == null) {
      return; // late or duplicate
    }
    challenges.remove(key);
    if (prover.answered(c, answer)) {
      HostProof p = prover.proof(c.name(), c.address());
      if (p.state() == HostProof.State.REFUTED) {
        log.warn("member host address refuted node={} address={} answered_by={}", c.name(), c.address(), p.detail());
      } else {
        log.debug("member host address proven node={} address={}", c.name(), c.address());
      }
    }
    // Coalesced, also when it is the last answer outstanding: with new members challenged one by
    // one as they are added (proveSoon), "the last answer" comes every few ms while 100 members
    // start in one JVM, and a pass per answer is the storm the pass spacing exists to prevent.
    refreshSoon();
  }

  private boolean computeComplete(long now) {
    if (!hasOtherSeeds() || synced) {
      return true;
    }
    if (now - startedAtMs >= timers.joinTimeout().toMillis()) {
      log.warn("gossip join timeout: no full sync with any seed after {} ms, view declared complete seeds={}",
          timers.joinTimeout().toMillis(), seedsText());
      return true;
    }
    return false;
  }

  private boolean hasOtherSeeds() {
    return discovery.hasSeeds();
  }

  /**
   * Atomix syncs with the seeds exactly once, at join, and that sync may time out on a busy
   * host; then nothing in Atomix ever tells us about a member that the one-off gossip of our
   * arrival missed, nor tells it about us. So vxmesh checks and repairs itself: it asks a live
   * peer (or a seed) which members it holds live; names we lack are looked up on that peer
   * ({@link #WHOIS}) and handed to the discovery, whose nodes Atomix probes — and a probe
   * introduces both sides to each other. Complete once all of the peer's live members are in our
   * Atomix view. Runs until then, also after the join timeout declared the view complete.
   */
  private void askForFullView(long now) {
    if (now - lastSyncAskMs < Math.max(250, timers.probeTimeout().toMillis())) {
      return;
    }
    lastSyncAskMs = now;
    List<Address> targets = new ArrayList<>();
    for (Member m : atomix.getMembers()) {
      if (!m.id().equals(atomix.getLocalMember().id()) && m.isReachable()) {
        targets.add(m.address());
      }
    }
    if (targets.isEmpty()) {
      discovery.seedAddresses().stream().map(AtomixAddresses::address).forEach(targets::add);
    }
    if (targets.isEmpty()) {
      return;
    }
    Address target = targets.get((int) (now % targets.size()));
    messaging.sendAndReceive(target, MEMBERS, new byte[0], false, Duration.ofSeconds(1)).thenAcceptAsync(r -> {
      Set<String> ours = new HashSet<>();
      atomix.getMembers().forEach(m -> ours.add(m.id().id()));
      List<String> missing = new ArrayList<>();
      boolean any = false;
      for (String name : new String(r, StandardCharsets.UTF_8).split("\n")) {
        any |= !name.isEmpty();
        if (!name.isEmpty() && !ours.contains(name)) {
          missing.add(name);
        }
      }
      if (any && missing.isEmpty()) {
        synced = true;
        log.info("gossip view complete node={} synced_with={} members={}", settings.nodeName(), target, ours.size());
        refreshSafely();
      } else {
        introduce(target, missing);
      }
    }, viewThread).exceptionally(e -> null);
  }

  /** Asks {@code peer} where the members we lack are and offers them to Atomix's probe loop. */
  private void introduce(Address peer, List<String> missing) {
    for (String name : missing.subList(0, Math.min(missing.size(), MAX_INTRODUCTIONS))) {
      messaging.sendAndReceive(peer, WHOIS, name.getBytes(StandardCharsets.UTF_8), false, WHOIS_TIMEOUT).thenAcceptAsync(b -> {
        Whois w = Whois.parse(b);
        if (w != null && w.reachable() && !w.hostPort().equals(localHostPort)) {
          log.debug("gossip introducing member node={} member={} address={} told_by={}",
              settings.nodeName(), name, w.hostPort(), peer);
          discovery.seen(name, AtomixAddresses.address(w.hostPort()));
        }
      }, viewThread).exceptionally(e -> null);
    }
  }
}
