package io.vxmesh.gossip;

import io.vxmesh.net.HostPort;
import java.util.Set;

/**
 * The tests' {@link PacketFilter}: cuts the links to chosen peers (a partition, without root or
 * namespaces) and loses chosen message types, in both directions. Change it while the member
 * runs; an empty set lets everything through again.
 */
final class TestPacketFilter implements PacketFilter {
  private volatile Set<HostPort> partitioned = Set.of();
  private volatile Set<String> droppedTypes = Set.of();

  /** Drops all traffic to and from these peers' gossip addresses. */
  void partitionFrom(Set<HostPort> peers) {
    partitioned = Set.copyOf(peers);
  }

  /** Drops every message of these types (Atomix's subjects), sent or received, TCP and UDP. */
  void dropTypes(Set<String> types) {
    droppedTypes = Set.copyOf(types);
  }

  @Override
  public boolean passes(HostPort peer, String type) {
    return !partitioned.contains(peer) && !droppedTypes.contains(type);
  }
}
