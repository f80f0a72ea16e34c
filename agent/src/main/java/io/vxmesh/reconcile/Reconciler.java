package io.vxmesh.reconcile;

import io.vxmesh.datapath.ConvergeResult;
import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.FilterDiff;
import io.vxmesh.datapath.Peer;
import io.vxmesh.datapath.PeerError;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.datapath.VxlanFilter;
import java.net.Inet4Address;
import io.vxmesh.gossip.MembershipView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level-triggered, coalesced convergence of every VTEP device to the current membership.
 *
 * <p>Membership changes, rtnetlink notifications and a periodic resync only call {@link #wake()};
 * the single reconcile thread then reads the whole current view, computes the desired peers of
 * every network and lets the datapath apply the difference to a fresh kernel dump. Bursts of
 * wake-ups collapse into one pass, so a member that restarts (gone and back within the same
 * window) costs nothing, and no event can be "missed": the next pass sees the state.
 *
 * <p>Until the view is complete (first full membership after join) nothing is removed, so a
 * restarting agent never cuts its pods off from peers it has not heard of yet.
 *
 * <p>With a {@link VxlanFilter}, each pass also makes its member set hold the underlay (host)
 * addresses of every desired peer of every network, and its rules cover every VTEP port: VXLAN
 * is accepted only from programmed members. Its drift is logged like the peers' (WARN).
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  private static final int RECENT_ERRORS = 20;
  private static final Duration INCOMPLETE_POLL = Duration.ofMillis(200);
  /**
   * Kernel notifications this soon after a pass that wrote something are mostly that pass's own
   * echo (rtnetlink and nftables tell every listener about vxmesh's writes too, and the vxlan
   * FDB's carry no sender to tell them apart): they wake one pass when this time is up instead of
   * one at once. At a join that echo pass ran on every peer while the others were still
   * installing the newcomer (bench join, peers' logs at DEBUG: 1-32 ms each on a busy 2-core
   * box). Drift coming in the same window is repaired this much later; membership changes and
   * other wakes are not held.
   */
  static final Duration ECHO_HOLD = Duration.ofMillis(250);

  private final Supplier<MembershipView> views;
  private final List<VtepSpec> networks;
  private final Datapath datapath;
  private final VxlanFilter filter;
  private final Duration resyncInterval;
  private final Duration retryInterval;
  private final Clock clock;
  private final Thread thread;
  private final CountDownLatch firstCompletePass = new CountDownLatch(1);
  private final List<PassListener> passListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final Object lock = new Object();
  // Guarded by lock.
  private boolean dirty = true;
  private boolean running = true;
  /** A kernel notification came in during the echo hold: a pass is due when it ends. */
  private boolean echoPending;
  /** System.nanoTime() until which kernel notifications wait (see ECHO_HOLD). */
  private long echoHoldUntil = System.nanoTime();
  private MembershipInput lastMembershipInput;
  private Status status = Status.initial();
  private final Deque<String> recentErrors = new ArrayDeque<>();
  /** Start of the last finished pass (null before the first): read by {@link #health()} without the lock. */
  private volatile Instant lastPassStarted;
  /** Per VNI, the peers the last pass left installed (reconcile thread only): what drift is measured against. */
  private final Map<Integer, Map<String, Peer>> settled = new HashMap<>();
  /** The filter's ports and members after the last pass that applied them (reconcile thread only). */
  private FilterWanted settledFilter;

  public Reconciler(
      Supplier<MembershipView> views,
      List<VtepSpec> networks,
      Datapath datapath,
      Duration resyncInterval,
      Duration retryInterval,
      Clock clock) {
    this(views, networks, datapath, null, resyncInterval, retryInterval, clock);
  }

  /** With {@code filter} (null: none) kept to the peers' host addresses on every pass. */
  public Reconciler(
      Supplier<MembershipView> views,
      List<VtepSpec> networks,
      Datapath datapath,
      VxlanFilter filter,
      Duration resyncInterval,
      Duration retryInterval,
      Clock clock) {
    this.views = views;
    this.networks = List.copyOf(networks);
    this.datapath = datapath;
    this.filter = filter;
    this.resyncInterval = resyncInterval;
    this.retryInterval = retryInterval;
    this.clock = clock;
    this.thread = new Thread(this::loop, "vxmesh-reconcile");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Asks for a pass soon. Cheap, never blocks; safe from any thread (listeners, monitor). */
  public void wake() {
    synchronized (lock) {
      dirty = true;
      lock.notifyAll();
    }
  }

  /**
   * For the kernel watches (rtnetlink, nftables): asks for a pass, at once, or, within
   * {@link #ECHO_HOLD} of a pass that wrote to the kernel, when the hold ends. Safe from any
   * thread; never blocks.
   */
  public void kernelChanged() {
    synchronized (lock) {
      if (System.nanoTime() - echoHoldUntil < 0) {
        echoPending = true;
      } else {
        dirty = true;
      }
      lock.notifyAll();
    }
  }

  /**
   * Membership listener: asks for a pass only when what the datapath is built from changed (the
   * peers each network would program, and whether the view is complete). A joiner's
   * unproven, suspect and refuted flips, a claim vote or a generation bump change the view but
   * not a single kernel object: a pass for each cost every peer of a 20-host mesh four kernel
   * dumps per join. Kernel drift still wakes the loop through the netlink watches, and the
   * periodic resync still runs: the loop stays level-triggered.
   */
  public void membershipChanged() {
    MembershipView view = views.get();
    Map<Integer, List<Peer>> wanted = new HashMap<>();
    for (VtepSpec spec : networks) {
      wanted.put(spec.vni(), DesiredState.peersFor(view, spec.vni()));
    }
    MembershipInput input = new MembershipInput(view.complete(), wanted);
    synchronized (lock) {
      if (input.equals(lastMembershipInput)) {
        return;
      }
      lastMembershipInput = input;
      dirty = true;
      lock.notifyAll();
    }
  }

  /** What a pass takes from the membership view. */
  private record MembershipInput(boolean complete, Map<Integer, List<Peer>> peers) {}

  /** Waits until a pass with a complete view finished without errors. */
  public boolean awaitConverged(Duration timeout) throws InterruptedException {
    return firstCompletePass.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * For the systemd watchdog and {@code /healthz}: the loop thread is alive and has finished a
   * pass recently (within three resync intervals), i.e. it is not wedged in the kernel or a lock.
   */
  public boolean healthy() {
    return health().ok();
  }

  /** {@link #healthy()} with a short reason an operator can read (the {@code /healthz} body). */
  public Health health() {
    if (!thread.isAlive()) {
      return new Health(false, "reconcile loop not running");
    }
    // No lock: a health probe must answer even when the loop is wedged holding it.
    Instant last = lastPassStarted;
    if (last == null) {
      return new Health(true, "first reconcile pass in progress");
    }
    Duration age = Duration.between(last, clock.instant());
    Duration limit = resyncInterval.multipliedBy(3);
    if (age.compareTo(limit) >= 0) {
      return new Health(false, "last reconcile pass started " + age.toMillis() + " ms ago (limit " + limit.toMillis()
          + " ms, 3 x resync_interval): reconcile loop stuck");
    }
    return new Health(true, "last reconcile pass started " + age.toMillis() + " ms ago");
  }

  /**
   * Registers a listener told about every finished pass (before {@link #start()}). Listeners run
   * on the reconcile thread: they must be quick and must not block.
   */
  public void addPassListener(PassListener listener) {
    passListeners.add(listener);
  }

  private void notifyPass(Pass p) {
    for (PassListener l : passListeners) {
      try {
        l.passed(p);
      } catch (RuntimeException e) {
        log.warn("reconcile pass listener failed error={}", e.toString());
      }
    }
  }

  public Status status() {
    synchronized (lock) {
      return status.withRecentErrors(List.copyOf(recentErrors));
    }
  }

  private void loop() {
    while (true) {
      synchronized (lock) {
        long waitMs = status.lastResult().equals("ok") ? resyncInterval.toMillis() : retryInterval.toMillis();
        if (!status.viewComplete()) {
          waitMs = Math.min(waitMs, INCOMPLETE_POLL.toMillis()); // until the first full view, look often
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (running && !dirty) {
          // Until the resync is due, or the echo hold ends with a notification pending.
          long until = echoPending && echoHoldUntil - deadline < 0 ? echoHoldUntil : deadline;
          long left = until - System.nanoTime();
          if (left <= 0) {
            break;
          }
          try {
            lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            return;
          }
        }
        if (!running) {
          return;
        }
        dirty = false;
        echoPending = false;
      }
      long t0 = System.nanoTime();
      try {
        pass();
      } catch (RuntimeException e) {
        log.error("reconcile pass failed error={}", e.toString(), e);
        recordError("pass: " + e);
        notifyPass(new Pass(Duration.ofNanos(System.nanoTime() - t0), 1, false, Map.of(), Map.of()));
      }
    }
  }

  private void pass() {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    MembershipView view = views.get();
    List<String> errors = new ArrayList<>();
    Map<Integer, NetworkCounts> counts = new LinkedHashMap<>();
    Map<String, Integer> objects = new LinkedHashMap<>();
    Map<String, Integer> drift = new LinkedHashMap<>();
    Map<Integer, List<Peer>> wanted = new HashMap<>();
    Set<Inet4Address> hosts = new HashSet<>();
    for (VtepSpec spec : networks) {
      List<Peer> desired = DesiredState.peersFor(view, spec.vni());
      wanted.put(spec.vni(), desired);
      desired.forEach(p -> hosts.add(p.hostIp()));
    }
    boolean wrote = false; // to the kernel, as far as we know: its echo is held (ECHO_HOLD)
    if (filter != null) { // first: a new peer's VXLAN is accepted by the time its route exists
      wrote = convergeFilter(hosts, view.complete(), errors);
    }
    for (VtepSpec spec : networks) {
      List<Peer> desired = wanted.get(spec.vni());
      try {
        ConvergeResult out = datapath.converge(spec, desired, view.complete());
        wrote |= !out.noop() || out.deviceRecreated();
        Map<String, Peer> before = settled.getOrDefault(spec.vni(), Map.of());
        logChanges(spec, out, before, desired).forEach((kind, n) -> drift.merge(kind, n, Integer::sum));
        if (out.deviceRecreated()) {
          drift.merge("device", 1, Integer::sum);
        }
        out.objects().forEach((kind, n) -> objects.merge(kind, n, Integer::sum));
        settled.put(spec.vni(), settledPeers(desired, out));
        out.errors().stream().map(PeerError::toString).forEach(errors::add);
        counts.put(spec.vni(), new NetworkCounts(desired.size(), out.installed()));
      } catch (RuntimeException e) {
        String msg = "device=" + spec.device() + " vni=" + spec.vni() + " error=" + e.getMessage();
        log.warn("reconcile network failed device={} vni={} error={}", spec.device(), spec.vni(), e.getMessage());
        wrote = true; // maybe part of it
        errors.add(msg);
        counts.put(spec.vni(), new NetworkCounts(desired.size(), 0));
      }
    }
    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0);
    String result = errors.isEmpty() ? "ok" : errors.size() + " error(s): " + errors.get(0);
    synchronized (lock) {
      if (wrote) {
        echoHoldUntil = System.nanoTime() + ECHO_HOLD.toNanos();
      }
      status = new Status(started, result, micros, status.passes() + 1, view.complete(), counts, List.of());
      lastPassStarted = started;
      errors.forEach(this::recordErrorLocked);
    }
    if (errors.isEmpty() && view.complete()) {
      firstCompletePass.countDown();
    }
    notifyPass(new Pass(Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(micros)), errors.size(), view.complete(), objects, drift));
    log.debug("reconcile pass done duration_us={} complete={} result={}", micros, view.complete(), result);
  }

  /**
   * One line per datapath change, key=value; quiet passes log nothing. A peer that was
   * installed by the previous pass and is still wanted unchanged, yet had objects rewritten,
   * drifted (deleted or altered outside vxmesh): WARN, naming what drifted. New and updated
   * peers are INFO. Returns the drift repaired, by object kind (neighbour, fdb, nexthop, route).
   */
  static Map<String, Integer> logChanges(VtepSpec spec, ConvergeResult out, Map<String, Peer> before, List<Peer> desired) {
    Map<String, Integer> drift = new LinkedHashMap<>();
    Map<String, Peer> now = new HashMap<>();
    desired.forEach(p -> now.put(p.name(), p));
    java.util.function.Predicate<String> drifted = p -> before.containsKey(p) && before.get(p).equals(now.get(p));
    for (String p : out.addedPeers()) {
      if (drifted.test(p)) {
        driftRepaired(spec, p, out, drift);
      } else {
        log.info("peer installed device={} vni={} peer={}", spec.device(), spec.vni(), p);
      }
    }
    for (String p : out.changedPeers()) {
      if (drifted.test(p)) {
        driftRepaired(spec, p, out, drift);
      } else {
        log.info("peer updated device={} vni={} peer={}", spec.device(), spec.vni(), p);
      }
    }
    out.removedPeers().forEach(p -> log.info("peer removed device={} vni={} vtep_ip={}", spec.device(), spec.vni(), p));
    out.errors().forEach(e -> log.warn("peer failed device={} vni={} peer={} change={} error={}", spec.device(), spec.vni(),
        e.peer(), e.change(), e.reason()));
    if (!out.noop() || !out.ok()) {
      log.info("datapath converged device={} peers={} objects_added={} objects_changed={} objects_removed={} errors={} duration_us={}",
          spec.device(), out.peers(), out.added(), out.changed(), out.removed(), out.errors().size(), out.micros());
    }
    return drift;
  }

  /** The filter's desired state: VTEP ports and member host addresses. */
  record FilterWanted(Set<Integer> ports, Set<Inet4Address> members) {}

  /** Converges the VXLAN filter; true when it wrote (or may have written) to the kernel. */
  private boolean convergeFilter(Set<Inet4Address> hosts, boolean complete, List<String> errors) {
    Set<Integer> ports = new TreeSet<>();
    networks.forEach(n -> ports.add(n.port()));
    FilterWanted now = new FilterWanted(Set.copyOf(ports), Set.copyOf(hosts));
    try {
      VxlanFilter.Applied a = filter.converge(now.ports(), now.members(), complete);
      logFilter(a.plan(), now, settledFilter);
      settledFilter = complete ? now : null; // before a complete view extra members may stay: not a baseline
      return !a.plan().empty();
    } catch (RuntimeException e) {
      log.warn("vxlan filter failed table=ip {} error={}", VxlanFilter.TABLE, e.getMessage());
      errors.add("vxlan filter table=ip " + VxlanFilter.TABLE + " error=" + e.getMessage()
          + " (on a kernel without nf_tables set [agent] vxlan_filter = false)");
      settledFilter = null;
      return true;
    }
  }

  /**
   * INFO when the members or ports changed; WARN {@code drift repaired} naming what was put
   * back (table, chain, set, rule, or the elements) when the desired state had not changed
   * since the last pass, or a structural object had to be re-made.
   */
  static void logFilter(FilterDiff.Plan p, FilterWanted now, FilterWanted before) {
    if (p.empty()) {
      return;
    }
    boolean same = now.equals(before);
    List<String> drifted = new ArrayList<>();
    if (before != null) {
      drifted.addAll(p.structure());
    }
    if (same && !p.setAdd()) { // a re-made set's elements are part of what "set" or "table" names
      p.membersAdd().forEach(m -> drifted.add("element:" + m.getHostAddress()));
      p.membersDel().forEach(m -> drifted.add("element:" + m.getHostAddress()));
    }
    if (!drifted.isEmpty()) {
      log.warn("drift repaired table=ip {} drifted={}", VxlanFilter.TABLE, String.join(",", drifted));
    }
    if (!same) {
      log.info("vxlan filter updated table=ip {} ports={} members={} members_added={} members_removed={}", VxlanFilter.TABLE,
          now.ports(), now.members().size(), names(p.membersAdd()), names(p.membersDel()));
    }
  }

  private static String names(List<Inet4Address> as) {
    return as.stream().map(Inet4Address::getHostAddress).reduce((x, y) -> x + "," + y).orElse("-");
  }

  private static void driftRepaired(VtepSpec spec, String peer, ConvergeResult out, Map<String, Integer> drift) {
    List<String> kinds = out.written().getOrDefault(peer, List.of());
    log.warn("drift repaired device={} vni={} peer={} drifted={}", spec.device(), spec.vni(), peer, String.join(",", kinds));
    kinds.forEach(k -> drift.merge(k, 1, Integer::sum));
  }

  /** The desired peers this converge left fully installed (no error named them). */
  private static Map<String, Peer> settledPeers(List<Peer> desired, ConvergeResult out) {
    Set<String> failed = new HashSet<>();
    out.errors().forEach(e -> failed.add(e.peer()));
    Map<String, Peer> m = new HashMap<>();
    if (!failed.contains("*")) {
      desired.stream().filter(p -> !failed.contains(p.name())).forEach(p -> m.put(p.name(), p));
    }
    return m;
  }

  private void recordError(String e) {
    synchronized (lock) {
      recordErrorLocked(e);
    }
  }

  private void recordErrorLocked(String e) {
    recentErrors.addLast(clock.instant() + " " + e);
    while (recentErrors.size() > RECENT_ERRORS) {
      recentErrors.removeFirst();
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      running = false;
      lock.notifyAll();
    }
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What {@link #health()} says: {@code ok} gates the watchdog pings and {@code /healthz}. */
  public record Health(boolean ok, String reason) {}

  /** Told about every finished pass; see {@link #addPassListener}. */
  @FunctionalInterface
  public interface PassListener {
    void passed(Pass pass);
  }

  /**
   * One finished pass, for counters and gauges that must see every pass (the {@link Status}
   * only keeps the last).
   *
   * @param duration wall time of the pass
   * @param errors errors it reported (failed peers, failed networks, a pass that threw); 0 when ok
   * @param viewComplete it ran on a complete membership view
   * @param objects the owned kernel objects after it, by kind, summed over the networks (empty
   *     when it failed before converging anything)
   * @param driftRepaired objects it put back that had drifted, by kind (neighbour, fdb, nexthop,
   *     route, device)
   */
  public record Pass(Duration duration, int errors, boolean viewComplete, Map<String, Integer> objects,
      Map<String, Integer> driftRepaired) {
    public Pass {
      objects = Map.copyOf(objects);
      driftRepaired = Map.copyOf(driftRepaired);
    }
  }

  /** Desired vs installed peers of one network after the last pass. */
  public record NetworkCounts(int desired, int installed) {}

  /** What the last pass did, for the Status API and sd_notify STATUS=. */
  public record Status(
      Instant lastPass,
      String lastResult,
      long lastDurationMicros,
      long passes,
      boolean viewComplete,
      Map<Integer, NetworkCounts> networks,
      List<String> recentErrors) {
    static Status initial() {
      return new Status(Instant.EPOCH, "pending", 0, 0, false, Map.of(), List.of());
    }

    Status withRecentErrors(List<String> errors) {
      return new Status(lastPass, lastResult, lastDurationMicros, passes, viewComplete, networks, errors);
    }
  }
}
