package io.vxmesh.lab.bench;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.netlink.Netlink;
import io.vxmesh.netlink.Route;
import io.vxmesh.lab.testbed.Host;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the main route table of many host namespaces over rtnetlink from this process: one
 * socket per host namespace, a dump costs ~0.1 ms, where a forked {@code ip -j route} costs
 * several ms per host on a busy 2-core box. That is what lets the benchmarks poll every few ms
 * and time convergence to the poll interval. Not thread-safe.
 */
final class RouteWatch implements AutoCloseable {
  private static final long POLL_MS = 5;
  /** How long {@link #warmUp} polls: long enough for the benchmark JVM's C2 to compile the dump path. */
  static final Duration WARM_UP = Duration.ofSeconds(3);
  private final Map<String, Netlink> sockets = new ConcurrentHashMap<>();

  /** True when {@code on} has a main-table route to the pod CIDR of {@code target}. */
  boolean hasRoute(Host on, Host target) {
    return destinations(on).contains(target.spec().podCidr());
  }

  /** The destinations of {@code on}'s main-table unicast routes (one dump). */
  Set<IpPrefix> destinations(Host on) {
    Netlink nl = sockets.computeIfAbsent(on.ns(), Netlink::openIn);
    Set<IpPrefix> out = new HashSet<>();
    for (Route r : nl.routeList()) {
      out.add(r.dst());
    }
    return out;
  }

  /**
   * Polls every host's routes at the normal rate for {@code duration}: the benchmark's own first
   * polls are interpreted code and JIT compilations (C2, in the benchmark's JVM), which took ~0.5 s
   * of CPU on a 2-core box during the first timed join and none after (per-process CPU sampled
   * at 20 ms, bench join --hosts 20). Called before the first timed event, so the observer does
   * not compete with what it times. Returns the number of dumps made.
   */
  int warmUp(Collection<Host> hosts) {
    long deadline = System.nanoTime() + WARM_UP.toNanos();
    int dumps = 0;
    while (System.nanoTime() < deadline) {
      for (Host h : hosts) {
        destinations(h);
        dumps++;
      }
      BenchSupport.sleep(POLL_MS);
    }
    return dumps;
  }

  /**
   * Polls every {@value #POLL_MS} ms until every observer (other than {@code target}) has
   * ({@code present}) or lacks the route to {@code target}'s pod; returns the milliseconds since
   * {@code t0} (System.nanoTime) at which that was first seen, or -1 when {@code timeout} (from
   * t0) passed first.
   */
  double await(Collection<Host> observers, Host target, boolean present, long t0, Duration timeout) {
    long deadline = t0 + timeout.toNanos();
    while (true) {
      boolean all = true;
      for (Host h : observers) {
        if (!h.equals(target) && hasRoute(h, target) != present) {
          all = false;
          break;
        }
      }
      long now = System.nanoTime();
      if (all) {
        return (now - t0) / 1e6;
      }
      if (now > deadline) {
        return -1;
      }
      BenchSupport.sleep(POLL_MS);
    }
  }

  /** Like {@link #await} but for {@code host} having routes to every one of {@code targets}. */
  double awaitHasAll(Host host, Collection<Host> targets, long t0, Duration timeout) {
    long deadline = t0 + timeout.toNanos();
    while (true) {
      Set<IpPrefix> have = destinations(host);
      boolean all = targets.stream().allMatch(t -> t.equals(host) || have.contains(t.spec().podCidr()));
      long now = System.nanoTime();
      if (all) {
        return (now - t0) / 1e6;
      }
      if (now > deadline) {
        return -1;
      }
      BenchSupport.sleep(POLL_MS);
    }
  }

  @Override
  public void close() {
    sockets.values().forEach(Netlink::close);
    sockets.clear();
  }
}
