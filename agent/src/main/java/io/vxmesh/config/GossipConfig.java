package io.vxmesh.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import io.vxmesh.gossip.GossipProtocol;
import io.vxmesh.gossip.GossipSettings.GossipTimers;
import io.vxmesh.net.JoinEntry;
import java.util.List;

/**
 * The {@code [gossip]} table. Timer defaults are the tuned SWIM values measured in FACTS.md
 * (crash detected in ~1.2 s instead of ~10.5 s with Atomix's defaults).
 *
 * @param bind address the gossip listener binds (default 0.0.0.0)
 * @param advertise this host's underlay IP, announced as host IP and used as VXLAN local
 * @param port gossip port, TCP and UDP (default 7947)
 * @param join seed members (IPv4 literals or DNS names, resolved by the gossip layer on every
 *     join attempt); empty starts a new mesh
 * @param keyFile the cluster key file (default /etc/vxmesh/cluster.key)
 * @param timers SWIM and vxmesh timing ({@code gossip_interval_ms}, {@code gossip_fanout},
 *     {@code probe_interval_ms}, {@code probe_timeout_ms}, {@code suspect_probes},
 *     {@code failure_timeout_ms}, {@code restart_grace_ms}, {@code reap_failed_after_s});
 *     defaults are
 *     {@link GossipTimers#defaults()}
 * @param maxMembers most members this agent keeps, itself included ({@code max_members}, default
 *     {@link io.vxmesh.gossip.GossipSettings#DEFAULT_MAX_MEMBERS})
 * @param protocol the membership protocol ({@code protocol}: "vxmesh", the default, or
 *     "atomix", Atomix's own SWIM as before; every host of a mesh must use the same)
 */
public record GossipConfig(
    InetAddress bind,
    Inet4Address advertise,
    int port,
    List<JoinEntry> join,
    Path keyFile,
    GossipTimers timers,
    int maxMembers,
    GossipProtocol protocol) {
  public static final int DEFAULT_PORT = 7947;

  public GossipConfig {
    join = List.copyOf(join);
    if (protocol == null) {
      protocol = GossipProtocol.VXMESH;
    }
  }

  /** The default protocol. */
  public GossipConfig(InetAddress bind, Inet4Address advertise, int port, List<JoinEntry> join, Path keyFile,
      GossipTimers timers, int maxMembers) {
    this(bind, advertise, port, join, keyFile, timers, maxMembers, GossipProtocol.VXMESH);
  }
}
