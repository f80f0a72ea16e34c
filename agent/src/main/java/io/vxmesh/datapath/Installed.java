package io.vxmesh.datapath;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The owned objects on a VTEP device as read from the kernel, with per-peer views for the
 * Routes API: {@link #status(Peer)} against a desired peer, {@link #entries()} grouped from the
 * kernel alone (route → nexthop → neighbour → FDB).
 */
public record Installed(int ifindex, KernelState state) {
  /** One installed chain; fields are null where the chain is broken. */
  public record Entry(Inet4Address vtepIp, MacAddress vtepMac, Inet4Address hostIp, IpPrefix podCidr) {}

  public PeerStatus status(Peer p) {
    return DatapathDiff.status(p, state);
  }

  public List<PeerStatus> status(Collection<Peer> peers) {
    return peers.stream().sorted(Comparator.comparing(Peer::name)).map(this::status).toList();
  }

  /** Every owned neighbour with what hangs off it, plus routes whose nexthop has no neighbour. */
  public List<Entry> entries() {
    Map<Inet4Address, IpPrefix> cidrByIp = new HashMap<>();
    List<Entry> out = new ArrayList<>();
    for (Map.Entry<IpPrefix, Integer> r : state.routes().entrySet()) {
      Inet4Address gw = state.nexthops().get(r.getValue());
      if (gw != null && state.neighbours().containsKey(gw)) {
        cidrByIp.put(gw, r.getKey());
      } else {
        out.add(new Entry(gw, null, null, r.getKey()));
      }
    }
    for (Map.Entry<Inet4Address, MacAddress> n : state.neighbours().entrySet()) {
      out.add(new Entry(n.getKey(), n.getValue(), state.fdb().get(n.getValue()), cidrByIp.get(n.getKey())));
    }
    out.sort(Comparator.comparing((Entry e) -> e.vtepIp() == null ? 0L : Integer.toUnsignedLong(DatapathDiff.nexthopId(e.vtepIp()))));
    return out;
  }
}
