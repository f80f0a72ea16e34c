package io.vxmesh.gossip;

import io.vxmesh.net.HostPort;
import io.vxmesh.net.JoinEntry;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@link AtomixMembership} needs, wired by the composition root from the config file.
 *
 * @param nodeName member id; unique in the mesh
 * @param advertise the address peers reach us at (our underlay/host IP); must equal the host IP
 *     in our announcement
 * @param port gossip port, TCP (probes, sync) and UDP (gossip); default {@link #DEFAULT_PORT}
 * @param bind local address to bind (e.g. 0.0.0.0 or the advertise address)
 * @param seeds gossip addresses of members to join; empty = start a new mesh. Our own address may be
 *     listed (it is skipped), so every host can share one seed list
 * @param seedNames DNS names of members to join ({@code [gossip] join} entries that are names):
 *     resolved to IPv4 addresses (A records, /etc/hosts) on every (re)join attempt, every address
 *     tried ({@link RejoiningDiscovery}); empty when the config names none
 * @param keyring the cluster keys: the primary signs announcements and gossip packets, every key
 *     is accepted (key rotation, see {@link Keyring}); replaced at run time by
 *     {@link Membership#useKeyring}
 * @param timers failure-detection and re-join timing, see {@link GossipTimers#defaults()}
 * @param validation the local view of the shared configuration
 * @param announcement our initial announcement; generation and claimed_at_ms are filled in when 0
 * @param clock wall clock (announcement generations, claimed_at, packet timestamps, grace periods)
 * @param maxMembers most members this agent keeps, itself included ({@code [gossip] max_members},
 *     default {@link #DEFAULT_MAX_MEMBERS}); new members beyond it are refused, see
 *     {@link MemberAdmission}
 * @param protocol the membership protocol ({@code [gossip] protocol}, default
 *     {@link GossipProtocol#VXMESH})
 */
public record GossipSettings(
    String nodeName,
    InetAddress advertise,
    int port,
    InetAddress bind,
    List<HostPort> seeds,
    List<JoinEntry.Name> seedNames,
    Keyring keyring,
    GossipTimers timers,
    ValidationContext validation,
    Announced announcement,
    Clock clock,
    int maxMembers,
    GossipProtocol protocol) {

  public static final int DEFAULT_PORT = 7947;
  /**
   * Ten times the largest mesh measured (100 members in one JVM, FACTS.md), and small enough that
   * a full table stays a few MB of heap and SWIM's per-suspicion broadcast (one datagram to every
   * member) stays cheap; the datapath itself was measured to 10,000 peers (BENCHMARKS.md).
   */
  public static final int DEFAULT_MAX_MEMBERS = 1024;

  /** Settings with the default protocol. */
  public GossipSettings(String nodeName, InetAddress advertise, int port, InetAddress bind, List<HostPort> seeds,
      List<JoinEntry.Name> seedNames, Keyring keyring, GossipTimers timers, ValidationContext validation,
      Announced announcement, Clock clock, int maxMembers) {
    this(nodeName, advertise, port, bind, seeds, seedNames, keyring, timers, validation, announcement, clock, maxMembers,
        GossipProtocol.VXMESH);
  }

  /** These settings with another membership protocol. */
  public GossipSettings withProtocol(GossipProtocol p) {
    return new GossipSettings(nodeName, advertise, port, bind, seeds, seedNames, keyring, timers, validation,
        announcement, clock, maxMembers, p);
  }

  /** Settings with IP seeds only (no names), a single cluster key and the given member limit. */
  public GossipSettings(String nodeName, InetAddress advertise, int port, InetAddress bind, List<HostPort> seeds,
      ClusterKey key, GossipTimers timers, ValidationContext validation, Announced announcement, Clock clock, int maxMembers) {
    this(nodeName, advertise, port, bind, seeds, List.of(), Keyring.of(key), timers, validation, announcement, clock, maxMembers);
  }

  /** Settings with the default member limit. */
  public GossipSettings(String nodeName, InetAddress advertise, int port, InetAddress bind, List<HostPort> seeds,
      List<JoinEntry.Name> seedNames, Keyring keyring, GossipTimers timers, ValidationContext validation,
      Announced announcement, Clock clock) {
    this(nodeName, advertise, port, bind, seeds, seedNames, keyring, timers, validation, announcement, clock, DEFAULT_MAX_MEMBERS);
  }

  public GossipSettings {
    if (nodeName == null || nodeName.isBlank()) {
      throw new IllegalArgumentException("node name is missing");
    }
    if (advertise == null || advertise.isAnyLocalAddress()) {
      throw new IllegalArgumentException("advertise address must be a concrete IP, not " + advertise);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("gossip port " + port + " is outside 1..65535");
    }
    if (bind == null) {
      bind = advertise;
    }
    seeds = List.copyOf(seeds);
    seedNames = seedNames == null ? List.of() : List.copyOf(seedNames);
    if (keyring == null) {
      throw new IllegalArgumentException("cluster key is missing");
    }
    if (timers == null) {
      timers = GossipTimers.defaults();
    }
    if (validation == null || !validation.selfName().equals(nodeName)) {
      throw new IllegalArgumentException("validation context must name this node (" + nodeName + ")");
    }
    if (announcement == null || !announcement.nodeName().equals(nodeName)) {
      throw new IllegalArgumentException("announcement must name this node (" + nodeName + ")");
    }
    if (!announcement.hostIp().equals(advertise)) {
      // Peers would mark us untrusted ("host IP differs from gossip address"): fail at start-up instead.
      throw new IllegalArgumentException("announced host IP must equal the advertise address " + advertise.getHostAddress());
    }
    if (clock == null) {
      clock = Clock.systemUTC();
    }
    if (maxMembers < 2) {
      throw new IllegalArgumentException("max members " + maxMembers + " must be at least 2 (this host and one peer)");
    }
    if (protocol == null) {
      protocol = GossipProtocol.VXMESH;
    }
  }

  /** Settings with IP seeds only (no names). */
  public GossipSettings(String nodeName, InetAddress advertise, int port, InetAddress bind, List<HostPort> seeds,
      Keyring keyring, GossipTimers timers, ValidationContext validation, Announced announcement, Clock clock) {
    this(nodeName, advertise, port, bind, seeds, List.of(), keyring, timers, validation, announcement, clock);
  }

  /** Settings with IP seeds only (no names) and a single cluster key (no rotation in progress). */
  public GossipSettings(String nodeName, InetAddress advertise, int port, InetAddress bind, List<HostPort> seeds,
      ClusterKey key, GossipTimers timers, ValidationContext validation, Announced announcement, Clock clock) {
    this(nodeName, advertise, port, bind, seeds, List.of(), Keyring.of(key), timers, validation, announcement, clock);
  }

  /**
   * Timing of the SWIM protocol and of vxmesh's own rules on top of it.
   *
   * @param gossipInterval how often pending updates are gossiped (UDP)
   * @param gossipFanout how many random peers each gossip round goes to
   * @param probeInterval how often one member is probed (TCP, round robin)
   * @param probeTimeout how long a probe may take; vxmesh enforces it itself, because Atomix's
   *     own timeout does not fire when the peer is frozen (kernel accepts, process never answers)
   * @param suspectProbes members asked to probe indirectly (minus one) before suspecting
   * @param failureTimeout how long SWIM keeps a suspect before declaring it dead; vxmesh also
   *     marks a member FAILED once Atomix has suspected it this long plus one probe timeout
   * @param restartGrace how long a member that announced RESTARTING and vanished stays
   *     programmable (status SUSPECT, reason "restarting")
   * @param failedRetention how long FAILED / departed members stay listed for operators before
   *     they are reaped (forgotten); {@code [gossip] reap_failed_after_s}
   * @param joinTimeout after this long without a full sync the view is declared complete anyway
   *     (a warning is logged)
   * @param rejoinMaxBackoff cap of the per-address re-join backoff (seeds and recently seen
   *     members are re-probed at 1x, 2x, 4x ... the probe interval up to this)
   * @param leaveWait how long leave()/close() wait for peers to see LEAVING/RESTARTING
   */
  public record GossipTimers(
      Duration gossipInterval,
      int gossipFanout,
      Duration probeInterval,
      Duration probeTimeout,
      int suspectProbes,
      Duration failureTimeout,
      Duration restartGrace,
      Duration failedRetention,
      Duration joinTimeout,
      Duration rejoinMaxBackoff,
      Duration leaveWait) {

    public GossipTimers {
      for (Duration d : List.of(gossipInterval, probeInterval, probeTimeout, failureTimeout, restartGrace,
          failedRetention, joinTimeout, rejoinMaxBackoff, leaveWait)) {
        if (d == null || d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("gossip timers must be positive durations");
        }
      }
      if (gossipFanout < 1 || suspectProbes < 1) {
        throw new IllegalArgumentException("gossip fanout and suspect probes must be >= 1");
      }
    }

    /**
     * Measured-good values (FACTS.md, docs/gossip.md): crash detected in ~1.2 s, freeze in ~2 s,
     * metadata spreads in ~50 ms, no false removals on an idle mesh.
     */
    public static GossipTimers defaults() {
      return new GossipTimers(
          Duration.ofMillis(100), // gossip interval: metadata reaches peers in ~50 ms median
          4,                      // fanout: 4 peers per round; 1,000 hosts joining at 20/s fit (SwimConfig#tuned)
          Duration.ofMillis(200), // probe interval
          Duration.ofMillis(300), // probe timeout: loopback/LAN RTT is far below; GC pauses are not
          2,                      // suspect probes: one indirect probe before suspecting
          Duration.ofSeconds(1),  // failure timeout: suspect -> dead
          Duration.ofSeconds(15), // restart grace: a systemd restart of the JVM fits comfortably
          Duration.ofHours(72),   // failed retention (reap_failed_after_s): consul's reconnect_timeout
          Duration.ofSeconds(5),  // join timeout
          Duration.ofSeconds(4),  // re-join backoff cap: keeps partition heal well under 10 s
          Duration.ofSeconds(1)); // leave wait
    }
  }
}
