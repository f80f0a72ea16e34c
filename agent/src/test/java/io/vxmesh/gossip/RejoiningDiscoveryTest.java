package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.atomix.cluster.Node;
import io.atomix.utils.net.Address;
import io.vxmesh.net.HostPort;
import io.vxmesh.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The node list Atomix's probe loop and join sync draw from; time is passed in, no sockets. */
class RejoiningDiscoveryTest {
  private static final Address SEED = AtomixAddresses.address(HostPort.parse("127.0.0.1:7001"));
  private static final Address OTHER = AtomixAddresses.address(HostPort.parse("127.0.0.1:7002"));

  /** A clock the test moves by hand. */

  private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(1_000_000));

  private RejoiningDiscovery discovery(Set<String> live) {
    Set<HostPort> liveHostPorts = live.stream().map(HostPort::parse).collect(Collectors.toSet());
    return new RejoiningDiscovery(HostPort.parse("127.0.0.1:7000"), List.of(AtomixAddresses.hostPort(SEED)), clock, Duration.ofMillis(200), Duration.ofSeconds(4),
        () -> liveHostPorts);
  }

  private static Set<String> offered(RejoiningDiscovery d) {
    return d.getNodes().stream().map(Node::address).map(a -> AtomixAddresses.hostPort(a).toString()).collect(Collectors.toSet());
  }

  /**
   * The join flake: Atomix probes the seed and then, in the same tick, syncs with the discovery
   * nodes. The probe's backoff must not hide the seed from that sync, Atomix's only full state
   * transfer; after the sync was sent the backoff applies as before.
   */
  @Test
  void aSeedJustProbedIsStillOfferedToTheJoinSyncThenBacksOff() {
    RejoiningDiscovery d = discovery(Set.of());
    assertEquals(Set.of("127.0.0.1:7001"), offered(d));
    d.probed(SEED, false); // Atomix's first probe at start
    assertEquals(Set.of("127.0.0.1:7001"), offered(d), "the seed must be offered to the join sync");
    d.probed(SEED, true); // the join sync
    assertTrue(offered(d).isEmpty(), "after the sync the seed backs off");
    clock.advance(Duration.ofMillis(199));
    assertTrue(offered(d).isEmpty());
    clock.advance(Duration.ofMillis(1));
    assertEquals(Set.of("127.0.0.1:7001"), offered(d), "due again after the backoff");
  }

  @Test
  void liveAddressesAreNeverOfferedAndIntroducedMembersAreOfferedAtOnce() {
    RejoiningDiscovery d = discovery(Set.of("127.0.0.1:7001"));
    assertTrue(offered(d).isEmpty(), "a live seed is a member already");
    d.seen("n2", OTHER);
    assertEquals(Set.of("127.0.0.1:7002"), offered(d));
    d.probed(OTHER, false);
    assertTrue(offered(d).isEmpty(), "a probed recent member backs off");
    d.seen("n2", OTHER);
    assertEquals(Set.of("127.0.0.1:7002"), offered(d), "seen again resets the backoff");
  }
}
