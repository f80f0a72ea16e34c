package io.vxmesh.gossip;

import io.vxmesh.net.IpPrefix;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the local configuration says every announcement must agree with.
 *
 * @param selfName the local node name
 * @param vtepPrefixes per configured VNI, the shared VTEP subnet (e.g. 179.17.1.0/24); networks
 *     announced with any other VNI are ignored
 * @param underlaySubnets the local underlay subnets no pod CIDR may overlap (empty when unknown);
 *     the only local input to the verdicts: a pod CIDR over this host's underlay is refused here
 *     even where other hosts (on other subnets) accept it, because here it would cut gossip off
 */
public record ValidationContext(String selfName, Map<Integer, IpPrefix> vtepPrefixes, List<IpPrefix> underlaySubnets) {
  public ValidationContext {
    if (selfName == null || selfName.isBlank()) {
      throw new IllegalArgumentException("node name is missing");
    }
    vtepPrefixes = Map.copyOf(new TreeMap<>(vtepPrefixes));
    underlaySubnets = underlaySubnets == null ? List.of() : List.copyOf(underlaySubnets);
  }

  /** Without a known underlay subnet. */
  public ValidationContext(String selfName, Map<Integer, IpPrefix> vtepPrefixes) {
    this(selfName, vtepPrefixes, List.of());
  }
}
