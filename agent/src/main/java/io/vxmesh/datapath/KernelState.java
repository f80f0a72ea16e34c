package io.vxmesh.datapath;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.Inet4Address;
import java.util.Map;
import java.util.Set;

/**
 * The peer objects vxmesh owns on one VTEP device, as dumped from the kernel (or a fake).
 * Only owned objects are here: permanent neighbours and unicast self FDB entries on the
 * device, nexthops on the device with protocol 118, routes with protocol 118.
 *
 * @param neighbours vtep IP → MAC
 * @param fdb vtep MAC → remote host IP
 * @param nexthops nexthop id → gateway (0.0.0.0 when the nexthop is not "via GW onlink")
 * @param routes pod CIDR → nexthop id (0 when the route does not use a nexthop object)
 * @param foreignRoutes main-table prefixes of routes with another protocol: never replaced
 * @param foreignNexthops ids of nexthops that are not vxmesh's (other protocol or device): never replaced
 */
public record KernelState(
    Map<Inet4Address, MacAddress> neighbours,
    Map<MacAddress, Inet4Address> fdb,
    Map<Integer, Inet4Address> nexthops,
    Map<IpPrefix, Integer> routes,
    Set<IpPrefix> foreignRoutes,
    Set<Integer> foreignNexthops) {
  public KernelState {
    neighbours = Map.copyOf(neighbours);
    fdb = Map.copyOf(fdb);
    nexthops = Map.copyOf(nexthops);
    routes = Map.copyOf(routes);
    foreignRoutes = Set.copyOf(foreignRoutes);
    foreignNexthops = Set.copyOf(foreignNexthops);
  }

  /** A state without foreign nexthops (in-memory kernels). */
  public KernelState(Map<Inet4Address, MacAddress> neighbours, Map<MacAddress, Inet4Address> fdb,
      Map<Integer, Inet4Address> nexthops, Map<IpPrefix, Integer> routes, Set<IpPrefix> foreignRoutes) {
    this(neighbours, fdb, nexthops, routes, foreignRoutes, Set.of());
  }

  public static KernelState empty() {
    return new KernelState(Map.of(), Map.of(), Map.of(), Map.of(), Set.of(), Set.of());
  }

  /** Number of owned objects (neighbours + FDB + nexthops + routes). */
  public int size() {
    return neighbours.size() + fdb.size() + nexthops.size() + routes.size();
  }
}
