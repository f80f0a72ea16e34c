package io.vxmesh.gossip;

import io.vxmesh.testing.Await;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Shared test data: announcements on loopback, settings, free ports, deadline polling. */
final class Fixtures {
  static final int VNI = 10001;
  static final IpPrefix VTEP_NET = IpPrefix.parse("179.17.1.0/24");
  static final InetAddress LOOPBACK = IpAddresses.parse("127.0.0.1");

  private Fixtures() {}

  static Announced.Network network(int n) {
    return network(mac(n), "179.17.1." + n, "10.234." + n + ".0/24");
  }

  static MacAddress mac(int n) {
    return new MacAddress(new byte[] {0x02, 0x42, (byte) 0xac, 0x11, 0x01, (byte) n});
  }

  static Announced.Network network(MacAddress mac, String vtepIp, String podCidr) {
    return new Announced.Network(VNI, 4899, mac, new IpPrefix(IpAddresses.parse(vtepIp), 24), IpPrefix.parse(podCidr), 1450);
  }

  static Announced announcement(String name, String hostIp, int n, long claimedAt) {
    return new Announced(name, IpAddresses.parse(hostIp), List.of(network(n)), 1, Announced.State.ALIVE, claimedAt, "0.1.0");
  }

  /** {@code a} announcing only {@code network}. */
  static Announced with(Announced a, Announced.Network network) {
    return a.withNetworks(List.of(network));
  }

  static ValidationContext context(String self) {
    return new ValidationContext(self, Map.of(VNI, VTEP_NET));
  }

  static GossipSettings.GossipTimers timers() {
    return GossipSettings.GossipTimers.defaults();
  }

  static GossipSettings settings(String name, int port, List<String> seeds, ClusterKey key, int n) {
    return settings(name, port, seeds, key, announcement(name, "127.0.0.1", n, 0), timers());
  }

  static GossipSettings settings(String name, int port, List<String> seeds, ClusterKey key, Announced a,
      GossipSettings.GossipTimers timers) {
    return new GossipSettings(name, LOOPBACK, port, LOOPBACK, seeds.stream().map(HostPort::parse).toList(), key, timers,
        context(name), a, Clock.systemUTC());
  }

  /** Defaults with short restart grace and failed retention, to test their expiry. */
  static GossipSettings.GossipTimers shortRetention() {
    var d = timers();
    return new GossipSettings.GossipTimers(d.gossipInterval(), d.gossipFanout(), d.probeInterval(), d.probeTimeout(),
        d.suspectProbes(), d.failureTimeout(), Duration.ofSeconds(2), Duration.ofSeconds(2), d.joinTimeout(),
        d.rejoinMaxBackoff(), d.leaveWait());
  }

  /**
   * Patient failure detection (probe timeout 1.5 s, failure timeout 5 s) for tests that measure
   * something other than detection speed under load: on a loaded 2-core box the tuned timers
   * flap an idle member now and then, which would hide what such a test is after.
   */
  static GossipSettings.GossipTimers patient() {
    var d = timers();
    return new GossipSettings.GossipTimers(d.gossipInterval(), d.gossipFanout(), Duration.ofMillis(500), Duration.ofMillis(1500),
        d.suspectProbes(), Duration.ofSeconds(5), d.restartGrace(), d.failedRetention(), Duration.ofSeconds(10),
        d.rejoinMaxBackoff(), d.leaveWait());
  }

  /** A port free for both TCP and UDP right now. */
  static int freePort() throws IOException {
    for (int i = 0; i < 50; i++) {
      int p;
      try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
        p = s.getLocalPort();
      }
      try (DatagramSocket d = new DatagramSocket(p, LOOPBACK)) {
        return p;
      } catch (IOException e) {
        // taken for UDP; try another
      }
    }
    throw new IOException("no free port");
  }

  /** Polls {@code condition} until true or the deadline; returns the elapsed time or fails. */
  static Duration await(Duration deadline, String what, BooleanSupplier condition) {
    return Await.until(deadline, what, condition);
  }

  /** Every member lists exactly these members, all ALIVE, in a complete view. */
  static boolean allAlive(List<AtomixMembership> ms) {
    for (AtomixMembership on : ms) {
      if (on.view().members().size() != ms.size() || !on.view().complete()
          || on.view().members().stream().anyMatch(s -> s.status() != MemberStatus.ALIVE)) {
        return false;
      }
    }
    return true;
  }
}
