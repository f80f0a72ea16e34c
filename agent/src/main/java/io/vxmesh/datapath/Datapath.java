package io.vxmesh.datapath;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel datapath of one host: the VTEP device and, per peer, a neighbour, an FDB entry, a
 * nexthop and a route (see {@link Peer} and {@link DatapathDiff}). Level-triggered: every
 * {@link #converge} dumps what vxmesh owns on the device, diffs it against the desired peers
 * and applies only the difference, in batches, phase by phase (neighbours → FDB → nexthops →
 * routes, then removals in reverse).
 *
 * <p>Ownership: only objects on the VTEP device are touched, and of routes and nexthops only
 * those with protocol {@value #RTPROT_VXMESH}; a foreign route on the same device survives
 * every call, including {@link #removeAllPeers}. The VTEP's own address and its connected
 * route are not peer objects.
 *
 * <p>Thread-safe: calls are serialised (one netlink socket). Logs at DEBUG only: the caller
 * (the reconciler) reports peers and errors from the {@link ConvergeResult}.
 */
public final class Datapath implements AutoCloseable {
  /**
   * Route/nexthop protocol number that marks vxmesh's objects ({@code proto 118} in iproute2;
   * unassigned in /etc/iproute2/rt_protos, which reserves up to 99 for known daemons).
   */
  public static final int RTPROT_VXMESH = 118;

  private static final Logger log = LoggerFactory.getLogger(Datapath.class);
  private final DatapathKernel kernel;
  /** The VTEP ifindex each device had at the last converge: a new one means it was deleted or replaced. */
  private final Map<String, Integer> ifindexes = new HashMap<>();

  public Datapath(DatapathKernel kernel) {
    this.kernel = kernel;
  }

  /** A datapath on rtnetlink in the current network namespace (the agent). */
  public static Datapath open() {
    return new Datapath(NetlinkDatapathKernel.open());
  }

  /** A datapath on rtnetlink inside {@code /var/run/netns/NAME} (tests, benchmarks). */
  public static Datapath openIn(String netns) {
    return new Datapath(NetlinkDatapathKernel.openIn(netns));
  }

  /**
   * Ensures the VTEP device: created when missing, reused when it matches, recreated when VNI,
   * port, local IP or underlay differ; then MAC, address, MTU, up. Returns its ifindex.
   */
  public synchronized int ensureVtep(VtepSpec spec) {
    return kernel.ensureVtep(spec);
  }

  /**
   * The default VTEP MTU for an underlay device: its MTU − 50; 1450 when {@code underlay} is
   * null/blank. Throws IllegalArgumentException naming the device when it does not exist.
   */
  public synchronized int defaultMtu(String underlay) {
    if (underlay == null || underlay.isBlank()) {
      return VtepDevice.defaultMtu(1500);
    }
    int mtu = kernel.mtu(underlay);
    if (mtu < 0) {
      throw new IllegalArgumentException("underlay device '" + underlay + "' does not exist");
    }
    return VtepDevice.defaultMtu(mtu);
  }

  /** Per peer, the kinds of the objects a plan writes for it (removals of orphans have no peer). */
  static Map<String, List<String>> written(List<Change> changes) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Change c : changes) {
      String kind = c instanceof Change.NeighSet ? "neighbour" : c instanceof Change.FdbSet ? "fdb"
          : c instanceof Change.NexthopSet ? "nexthop" : c instanceof Change.RouteSet ? "route" : null;
      if (kind != null && !c.peer().isEmpty()) {
        out.computeIfAbsent(c.peer(), p -> new ArrayList<>()).add(kind);
      }
    }
    return out;
  }

  /**
   * The owned objects by kind once {@code applied} (changes the kernel acked) are on top of
   * {@code dumped}: a replace of an existing object adds none, a delete of a present one
   * removes one. Saves a second dump per pass for the objects gauge.
   */
  static Map<String, Integer> objects(KernelState dumped, List<Change> applied) {
    Set<Object> neighbours = new HashSet<>(dumped.neighbours().keySet());
    Set<Object> fdb = new HashSet<>(dumped.fdb().keySet());
    Set<Object> nexthops = new HashSet<>(dumped.nexthops().keySet());
    Set<Object> routes = new HashSet<>(dumped.routes().keySet());
    for (Change c : applied) {
      if (c instanceof Change.NeighSet n) {
        neighbours.add(n.ip());
      } else if (c instanceof Change.NeighDel n) {
        neighbours.remove(n.ip());
      } else if (c instanceof Change.FdbSet f) {
        fdb.add(f.mac());
      } else if (c instanceof Change.FdbDel f) {
        fdb.remove(f.mac());
      } else if (c instanceof Change.NexthopSet n) {
        nexthops.add(n.id());
      } else if (c instanceof Change.NexthopDel n) {
        nexthops.remove(n.id());
      } else if (c instanceof Change.RouteSet r) {
        routes.add(r.dst());
      } else if (c instanceof Change.RouteDel r) {
        routes.remove(r.dst());
      }
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    out.put("neighbour", neighbours.size());
    out.put("fdb", fdb.size());
    out.put("nexthop", nexthops.size());
    out.put("route", routes.size());
    return out;
  }

  /**
   * Makes the kernel hold exactly the desired peers' objects (and, with
   * {@code allowRemove=false}, only adds/replaces: used before the first complete membership
   * view). Ensures the VTEP first, so a deleted/changed device is repaired and refilled. A
   * failing peer is reported in the result and does not stop the others; its later objects
   * (e.g. the route after a failed neighbour) are skipped. Throws only when the device cannot
   * be ensured or dumped.
   */
  public synchronized ConvergeResult converge(VtepSpec spec, Collection<Peer> desired, boolean allowRemove) {
    long t0 = System.nanoTime();
    int ifindex = kernel.ensureVtep(spec);
    Integer before = ifindexes.put(spec.device(), ifindex);
    boolean recreated = before != null && before != ifindex;
    if (recreated) {
      log.warn("drift repaired device={} drifted=device reason={} ifindex={} previous_ifindex={}", spec.device(),
          "VTEP deleted or replaced outside vxmesh; recreated, all peers rewritten", ifindex, before);
    }
    KernelState dumped = kernel.dump(ifindex);
    DatapathDiff.Plan plan = DatapathDiff.compute(desired, dumped, allowRemove);
    List<PeerError> errors = new ArrayList<>(plan.refused());
    Set<String> failed = new HashSet<>();
    List<Change> changes = plan.changes();
    List<Change> applied = new ArrayList<>();
    boolean outcomeKnown = true;
    int i = 0;
    while (i < changes.size()) {
      int phase = changes.get(i).phase();
      List<Change> batch = new ArrayList<>();
      for (; i < changes.size() && changes.get(i).phase() == phase; i++) {
        Change c = changes.get(i);
        if (c.peer().isEmpty() || !failed.contains(c.peer())) {
          batch.add(c);
        }
      }
      try {
        Set<Integer> failedAt = new HashSet<>();
        for (DatapathKernel.Failure f : kernel.apply(ifindex, batch)) {
          Change c = batch.get(f.index());
          failedAt.add(f.index());
          if (!c.peer().isEmpty()) {
            failed.add(c.peer());
          }
          errors.add(new PeerError(c.peer(), c.describe(), f.reason()));
        }
        for (int j = 0; j < batch.size(); j++) {
          if (!failedAt.contains(j)) {
            applied.add(batch.get(j));
          }
        }
      } catch (RuntimeException e) {
        errors.add(new PeerError("*", "apply phase " + phase + " (" + batch.size() + " changes)", e.getMessage()));
        outcomeKnown = false;
        break; // outcome unknown: the next converge re-dumps
      }
    }
    long micros = (System.nanoTime() - t0) / 1000;
    Set<String> notInstalled = new HashSet<>(failed);
    plan.refused().forEach(e -> notInstalled.add(e.peer()));
    boolean unknown = errors.stream().anyMatch(e -> e.peer().equals("*"));
    int installed = unknown ? 0 : (int) desired.stream().filter(p -> !notInstalled.contains(p.name())).count();
    ConvergeResult r = new ConvergeResult(desired.size(), plan.added(), plan.changed(), plan.removed(), plan.unchanged(), errors, micros,
        plan.addedPeers(), plan.changedPeers(), plan.removedPeers(), installed, written(changes),
        objects(dumped, outcomeKnown ? applied : List.of()), recreated);
    if (!r.noop() || !r.ok()) {
      log.debug("datapath converged device={} peers={} added={} changed={} removed={} errors={} micros={}",
          spec.device(), r.peers(), r.added(), r.changed(), r.removed(), errors.size(), micros);
    }
    for (PeerError e : errors) {
      log.debug("datapath peer failed device={} {}", spec.device(), e);
    }
    return r;
  }

  /**
   * Installs one peer without looking at the others: neighbour → FDB → nexthop → route, each
   * replaced; stops at the first failure (a route without its neighbour would blackhole).
   * Returns the failures (empty on success). The VTEP must exist ({@link #ensureVtep}).
   */
  public synchronized List<PeerError> installPeer(VtepSpec spec, Peer peer) {
    return applyOne(spec, DatapathDiff.install(peer), true);
  }

  /**
   * Removes one peer's objects in reverse order (route → nexthop → FDB → neighbour), best
   * effort: every step is tried, absent objects are fine. Returns the failures.
   */
  public synchronized List<PeerError> removePeer(VtepSpec spec, Peer peer) {
    return applyOne(spec, DatapathDiff.remove(peer), false);
  }

  private List<PeerError> applyOne(VtepSpec spec, List<Change> changes, boolean stopAtFailure) {
    int ifindex = kernel.ifindex(spec.device());
    if (ifindex < 0) {
      return List.of(new PeerError(changes.get(0).peer(), "device " + spec.device(), "does not exist"));
    }
    List<PeerError> errors = new ArrayList<>();
    for (Change c : changes) {
      for (DatapathKernel.Failure f : kernel.apply(ifindex, List.of(c))) {
        errors.add(new PeerError(c.peer(), c.describe(), f.reason()));
      }
      if (stopAtFailure && !errors.isEmpty()) {
        break;
      }
    }
    return errors;
  }

  /** What is installed on the VTEP device now (empty when the device does not exist). */
  public synchronized Installed installed(VtepSpec spec) {
    int ifindex = kernel.ifindex(spec.device());
    return new Installed(ifindex, ifindex < 0 ? KernelState.empty() : kernel.dump(ifindex));
  }

  /**
   * Removes every peer object vxmesh owns on the device (after {@code vxmesh leave}); the device
   * and foreign routes stay. A missing device is a no-op.
   */
  public synchronized ConvergeResult removeAllPeers(VtepSpec spec) {
    if (kernel.ifindex(spec.device()) < 0) {
      return ConvergeResult.empty();
    }
    return converge(spec, List.of(), true);
  }

  /**
   * Wakes the reconciler: {@code wake} runs on a monitor thread whenever the VTEP device, its
   * address, neighbours or FDB, or a route/nexthop on it or with protocol 118 changes (incl.
   * vxmesh's own writes — converging again is then a cheap no-op). Close to stop.
   */
  public synchronized AutoCloseable watch(VtepSpec spec, Runnable wake) {
    return kernel.watch(spec.device(), wake);
  }

  @Override
  public synchronized void close() {
    kernel.close();
  }
}
