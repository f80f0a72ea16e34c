package io.vxmesh.bench;

import io.vxmesh.gossip.Announced;
import io.vxmesh.gossip.AtomixMembership;
import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.gossip.GossipSettings;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.ValidationContext;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Idle soak: N healthy members on loopback (one JVM, real Atomix, default timers) for a while;
 * every observation in which a healthy member shows another as anything but ALIVE is a false
 * suspicion, every FAILED a false removal. Exit 0 only when there were no false removals.
 */
@Command(name = "gossip", description = "Idle soak of N gossip members on loopback: counts false suspicions/removals.")
public final class GossipBench implements Callable<Integer> {
  @Option(names = "--members", defaultValue = "5", description = "members (default ${DEFAULT-VALUE})")
  int members;

  @Option(names = "--duration", defaultValue = "PT10M", description = "ISO-8601 duration (default ${DEFAULT-VALUE})")
  Duration duration;

  @Override
  public Integer call() throws Exception {
    InetAddress lo = IpAddresses.parse("127.0.0.1");
    ClusterKey key = ClusterKey.generate();
    List<AtomixMembership> mesh = new ArrayList<>();
    String seed = null;
    long t0 = System.nanoTime();
    try {
      for (int i = 1; i <= members; i++) {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, lo)) {
          port = s.getLocalPort();
        }
        seed = seed == null ? "127.0.0.1:" + port : seed;
        String name = "soak" + i;
        Announced a = new Announced(name, lo, List.of(new Announced.Network(1, 4789,
            new MacAddress(new byte[] {2, 0, 0, 0, (byte) (i >> 8), (byte) i}),
            IpPrefix.of(new byte[] {10, 99, (byte) (i >> 8), (byte) i}, 16),
            IpPrefix.of(new byte[] {10, (byte) (100 + (i >> 8)), (byte) i, 0}, 24), 1450)),
            0, Announced.State.ALIVE, 0, "bench");
        AtomixMembership m = new AtomixMembership(new GossipSettings(name, lo, port, lo, List.of(HostPort.parse(seed)), key,
            GossipSettings.GossipTimers.defaults(), new ValidationContext(name, Map.of(1, IpPrefix.parse("10.99.0.0/16"))),
            a, Clock.systemUTC()));
        m.start();
        mesh.add(m);
      }
      while (!allAlive(mesh)) {
        if (System.nanoTime() - t0 > Duration.ofSeconds(60).toNanos()) {
          System.err.println("vxmesh bench gossip: mesh did not converge within 60 s");
          return 1;
        }
        Thread.sleep(20);
      }
      System.out.printf("members=%d converged_ms=%d soak=%s%n", members, (System.nanoTime() - t0) / 1_000_000, duration);
      long suspicions = 0;
      Set<String> removed = new HashSet<>();
      long end = System.nanoTime() + duration.toNanos();
      while (System.nanoTime() < end) {
        for (AtomixMembership on : mesh) {
          for (MemberState s : on.view().members()) {
            if (s.status() == MemberStatus.SUSPECT) {
              suspicions++;
            } else if (s.status() != MemberStatus.ALIVE) {
              removed.add(on.view().members().stream().filter(MemberState::self).findFirst().map(MemberState::name).orElse("?")
                  + " saw " + s.name() + " " + s.status().label() + " (" + s.reason() + ")");
            }
          }
        }
        Thread.sleep(100);
      }
      System.out.printf("false_suspect_observations=%d false_removals=%d%n", suspicions, removed.size());
      removed.forEach(r -> System.out.println("  " + r));
      return removed.isEmpty() ? 0 : 1;
    } finally {
      mesh.forEach(m -> m.leave(Duration.ofMillis(1)));
    }
  }

  private static boolean allAlive(List<AtomixMembership> mesh) {
    return mesh.stream().allMatch(m -> m.view().complete() && m.view().members().size() == mesh.size()
        && m.view().members().stream().allMatch(s -> s.status() == MemberStatus.ALIVE));
  }
}
