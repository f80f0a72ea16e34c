package io.vxmesh.lab.testbed;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Faults on the underlay of one {@link Testbed}: a host cut off ({@link #isolate}), the hosts
 * split in two groups ({@link #partition}/{@link #heal}), one pair of hosts that can no longer
 * reach each other ({@link #cutPair}/{@link #restorePair}). Faults of the agent itself are on
 * {@link AgentProcess} ({@code kill()}, {@code freeze()}/{@code thaw()}, {@code stop}); drift
 * of a host's kernel tables is an {@code ip} command run with {@link Topology#execHost}.
 *
 * <p>This kernel has no tc flower/u32 actions and no bridge VLAN filtering, so a partition moves
 * the switch ports of one side to a second bridge ({@code <prefix>-b2}) in the switch namespace:
 * frames between the sides are silently dropped, like a real partition. Everything a fault
 * creates lives in the testbed's namespaces and goes with them on close.
 *
 * <p>Thread-safe: {@link #partition} and {@link #heal} are synchronized (they share the second
 * bridge); the others are single {@code ip} commands.
 */
public final class Faults {
  /** A MAC nobody on the underlay has: frames to it are flooded by the bridge and accepted by nobody. */
  private static final String BLACKHOLE_MAC = "02:00:5e:00:de:ad";

  private final Topology topology;
  private final String partitionBridge;
  private final Runnable requireOpen;
  private boolean partitioned; // guarded by this

  Faults(Topology topology, String prefix, Runnable requireOpen) {
    this.topology = topology;
    this.partitionBridge = prefix + "-b2";
    this.requireOpen = requireOpen;
  }

  /** Cuts the host off the underlay: its switch port goes down (both directions, silently). */
  public void isolate(Host host) {
    topology.ip(topology.switchNs(), "link", "set", host.switchPort(), "down");
  }

  /** Undoes {@link #isolate}. */
  public void reconnect(Host host) {
    topology.ip(topology.switchNs(), "link", "set", host.switchPort(), "up");
  }

  /**
   * Splits the underlay in two: the hosts of {@code side} move to a second bridge, so they reach
   * each other but nobody else (frames between the groups are silently dropped, like a real
   * partition; ARP entries on the hosts stay). {@link #heal()} puts them back.
   */
  public synchronized void partition(Collection<Host> side) {
    requireOpen.run();
    if (!partitioned) {
      topology.ipBatch(topology.switchNs(),
          List.of("link add " + partitionBridge + " type bridge", "link set " + partitionBridge + " up"));
      partitioned = true;
    }
    List<String> lines = new ArrayList<>();
    side.forEach(h -> lines.add("link set " + h.switchPort() + " master " + partitionBridge));
    topology.ipBatch(topology.switchNs(), lines);
  }

  /** Reconnects every host to the one bridge after {@link #partition}. */
  public synchronized void heal() {
    if (!partitioned) {
      return;
    }
    List<String> lines = new ArrayList<>();
    topology.hosts().forEach(h -> lines.add("link set " + h.switchPort() + " master " + topology.bridge()));
    lines.add("link del " + partitionBridge);
    topology.ipBatch(topology.switchNs(), lines);
    partitioned = false;
  }

  /**
   * Silently drops all traffic between {@code a} and {@code b} only (both directions; each keeps
   * talking to everybody else): each side gets a permanent ARP entry for the other's underlay IP
   * with an unused MAC, so its frames are flooded by the bridge and accepted by nobody. No tc
   * needed (this kernel has no tc actions). {@link #restorePair} undoes it.
   */
  public void cutPair(Host a, Host b) {
    topology.ip(a.ns(), "neigh", "replace", b.spec().underlayIp().getHostAddress(), "lladdr", BLACKHOLE_MAC,
        "dev", a.underlayDevice(), "nud", "permanent");
    topology.ip(b.ns(), "neigh", "replace", a.spec().underlayIp().getHostAddress(), "lladdr", BLACKHOLE_MAC,
        "dev", b.underlayDevice(), "nud", "permanent");
  }

  /** Undoes {@link #cutPair}: the bogus ARP entries go, ARP resolves the real MACs again. */
  public void restorePair(Host a, Host b) {
    topology.ip(a.ns(), "neigh", "del", b.spec().underlayIp().getHostAddress(), "dev", a.underlayDevice());
    topology.ip(b.ns(), "neigh", "del", a.spec().underlayIp().getHostAddress(), "dev", b.underlayDevice());
  }
}
