package io.vxmesh.gossip;

import io.vxmesh.net.IpPrefix;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the local configuration says every announcement must agree with.
 *
 * @param selfName the local node name
 * @param vtepPrefixes per configured VNI, the shared VTEP subnet (e.g. 179.17.1.0/24); networks
 *     announced with any other VNI are ignored
 */
public record ValidationContext(String selfName, Map<Integer, IpPrefix> vtepPrefixes) {
  public ValidationContext {
    if (selfName == null || selfName.isBlank()) {
      throw new IllegalArgumentException("node name is missing");
    }
    vtepPrefixes = Map.copyOf(new TreeMap<>(vtepPrefixes));
  }
}
