package io.vxmesh.datapath;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * An in-memory {@link DatapathKernel} for tests of code built on {@link Datapath} (e.g. the
 * reconciler): one VTEP device, the owned objects as maps, optional injected failures, and
 * watchers woken on every apply and on {@link #poke()}.
 */
public final class FakeDatapathKernel implements DatapathKernel {
  public final Map<Inet4Address, MacAddress> neighbours = new HashMap<>();
  public final Map<MacAddress, Inet4Address> fdb = new HashMap<>();
  public final Map<Integer, Inet4Address> nexthops = new HashMap<>();
  public final Map<IpPrefix, Integer> routes = new HashMap<>();
  public final Set<IpPrefix> foreignRoutes = new HashSet<>();
  /** Changes matching this fail with "EINVAL (injected)". */
  public volatile Predicate<Change> failWhen = c -> false;
  public final List<Change> applied = new CopyOnWriteArrayList<>();
  private final List<Runnable> watchers = new CopyOnWriteArrayList<>();
  private VtepSpec vtep;
  private int ifindex;
  private int ensureCount;

  @Override
  public synchronized int ensureVtep(VtepSpec spec) {
    ensureCount++;
    if (vtep == null || vtep.vni() != spec.vni() || vtep.port() != spec.port() || !spec.local().equals(vtep.local())) {
      ifindex++;
      neighbours.clear(); // a recreated device loses everything on it
      fdb.clear();
      routes.clear();
      nexthops.clear();
    }
    vtep = spec;
    return ifindex;
  }

  public synchronized int ensureCount() {
    return ensureCount;
  }

  /** Simulates {@code ip link del VTEP}. */
  public synchronized void deleteDevice() {
    vtep = null;
    neighbours.clear();
    fdb.clear();
    routes.clear();
    nexthops.clear();
  }

  @Override
  public synchronized int ifindex(String device) {
    return vtep != null && vtep.device().equals(device) ? ifindex : -1;
  }

  @Override
  public int mtu(String device) {
    return 1500;
  }

  @Override
  public synchronized KernelState dump(int ifindex) {
    return new KernelState(neighbours, fdb, nexthops, routes, foreignRoutes);
  }

  @Override
  public synchronized List<Failure> apply(int ifindex, List<Change> changes) {
    List<Failure> out = new ArrayList<>();
    for (int i = 0; i < changes.size(); i++) {
      Change c = changes.get(i);
      if (failWhen.test(c)) {
        out.add(new Failure(i, "EINVAL (injected)"));
        continue;
      }
      applied.add(c);
      if (c instanceof Change.NeighSet n) {
        neighbours.put(n.ip(), n.mac());
      } else if (c instanceof Change.FdbSet f) {
        fdb.put(f.mac(), f.dst());
      } else if (c instanceof Change.NexthopSet n) {
        nexthops.put(n.id(), n.gateway());
      } else if (c instanceof Change.RouteSet r) {
        if (!nexthops.containsKey(r.nexthopId())) {
          out.add(new Failure(i, "EINVAL (Nexthop id does not exist)"));
          continue;
        }
        routes.put(r.dst(), r.nexthopId());
      } else if (c instanceof Change.RouteDel r) {
        routes.remove(r.dst());
      } else if (c instanceof Change.NexthopDel n) {
        nexthops.remove(n.id());
        routes.values().removeIf(id -> id == n.id()); // the kernel drops routes using it
      } else if (c instanceof Change.FdbDel f) {
        fdb.remove(f.mac());
      } else if (c instanceof Change.NeighDel n) {
        neighbours.remove(n.ip());
      }
    }
    poke();
    return out;
  }

  /** Wakes every watcher, as a kernel notification would. */
  public void poke() {
    watchers.forEach(Runnable::run);
  }

  @Override
  public AutoCloseable watch(String device, Runnable wake) {
    watchers.add(wake);
    return () -> watchers.remove(wake);
  }

  @Override
  public void close() {}
}
