package io.vxmesh.lab.bench;

import io.vxmesh.gossip.AtomixMembership;
import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.gossip.GossipSettings;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.ValidationContext;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Idle soak: N healthy members on loopback (one JVM, real Atomix) for a while; every
 * observation in which a healthy member shows another as SUSPECT is a false suspicion, every
 * other non-ALIVE state a false removal. Baselines in the same run: one more mesh of N members
 * per other variant of {@code --timers} ({@link TimerSet}: Atomix's protocol with the timers
 * shipped before issue 11; Atomix's protocol and default timers, probe timeout 2 s, failure
 * timeout 10 s), soaked at the same time in the same JVM, so all see the same GC pauses and box
 * load: a false suspicion only the vxmesh mesh shows is the price of its shorter timers. A mesh
 * whose views do not complete within 60 s is not soaked; it is printed as n/a and counted.
 * Exit 0 only when the vxmesh mesh converged and had no false removals.
 */
@Command(name = "gossip", description = "Idle soak of N gossip members on loopback, vxmesh vs Atomix default timers: counts false suspicions/removals.")
public final class GossipBench implements Callable<Integer> {
  private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(60);

  @Option(names = "--members", defaultValue = "5", description = "members per mesh (default ${DEFAULT-VALUE})")
  int members;

  @Option(names = "--duration", defaultValue = "PT10M", description = "ISO-8601 duration (default ${DEFAULT-VALUE})")
  Duration duration;

  @Option(names = "--timers", split = ",", converter = TimerSet.Name.class, defaultValue = TimerSet.DEFAULT_LIST,
      description = "One mesh per variant, soaked together. " + TimerSet.HELP)
  List<String> timers;

  /** One mesh and what the soak saw in it; convergedMs -1 when its views never completed (then it is not soaked). */
  private static final class Mesh {
    final TimerSet timers;
    final List<AtomixMembership> members = new ArrayList<>();
    double convergedMs = -1;
    long observations;
    long suspicions;
    final Set<String> removed = new LinkedHashSet<>();

    Mesh(TimerSet timers) {
      this.timers = timers;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (members < 2) {
      System.err.println("vxmesh-lab bench gossip: --members must be >= 2");
      return 2;
    }
    BenchSupport.quietLogs();
    LoadAverage load0 = LoadAverage.now();
    List<Mesh> meshes = new ArrayList<>();
    try {
      for (TimerSet t : TimerSet.parseList(timers)) {
        Mesh m = new Mesh(t);
        meshes.add(m);
        start(m);
      }
      for (Mesh m : meshes) {
        System.out.printf(Locale.ROOT, "gossip timers=%s: %d members, every view complete and ALIVE after %s ms%n",
            m.timers.label(), members, BenchSupport.ms(m.convergedMs));
      }
      long end = System.nanoTime() + duration.toNanos();
      while (System.nanoTime() < end) {
        for (Mesh m : meshes) {
          if (m.convergedMs >= 0) {
            observe(m);
          }
        }
        Thread.sleep(100);
      }
    } finally {
      meshes.forEach(m -> m.members.forEach(a -> a.leave(Duration.ofMillis(1))));
    }
    return print(meshes, load0) ? 0 : 1;
  }

  private void start(Mesh mesh) throws Exception {
    ClusterKey key = ClusterKey.generate();
    String seed = null;
    long t0 = System.nanoTime();
    for (int i = 0; i < members; i++) {
      // Each member on its own loopback address: agents count TCP connections per source IP.
      InetAddress lo = SpreadBench.address(i);
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, lo)) {
        port = s.getLocalPort();
      }
      seed = seed == null ? lo.getHostAddress() + ":" + port : seed;
      String name = "m" + i;
      AtomixMembership m = new AtomixMembership(mesh.timers.settings(new GossipSettings(name, lo, port, lo,
          List.of(HostPort.parse(seed)), key, mesh.timers.gossipTimers(),
          new ValidationContext(name, Map.of(1, IpPrefix.parse("10.99.0.0/16"))), SpreadBench.announcement(i, 0, lo),
          Clock.systemUTC())));
      m.start();
      mesh.members.add(m);
    }
    long deadline = t0 + CONVERGE_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (allAlive(mesh.members)) {
        mesh.convergedMs = BenchSupport.msSince(t0);
        return;
      }
      BenchSupport.sleep(20);
    }
  }

  private static void observe(Mesh mesh) {
    for (AtomixMembership on : mesh.members) {
      for (MemberState s : on.view().members()) {
        mesh.observations++;
        if (s.status() == MemberStatus.SUSPECT) {
          mesh.suspicions++;
        } else if (s.status() != MemberStatus.ALIVE) {
          String self = on.view().members().stream().filter(MemberState::self).findFirst().map(MemberState::name).orElse("?");
          if (mesh.removed.add(self + " saw " + s.name() + " " + s.status().label() + " (" + s.reason() + ")")) {
            System.out.printf(Locale.ROOT, "  timers=%s: %s saw %s %s (%s)%n", mesh.timers.label(), self, s.name(), s.status().label(), s.reason());
          }
        }
      }
    }
  }

  private static boolean allAlive(List<AtomixMembership> mesh) {
    return mesh.stream().allMatch(m -> m.view().complete() && m.view().members().size() == mesh.size()
        && m.view().members().stream().allMatch(s -> s.status() == MemberStatus.ALIVE));
  }

  private static Mesh meshOf(List<Mesh> meshes, TimerSet t) {
    return meshes.stream().filter(m -> m.timers == t).findFirst().orElseThrow();
  }

  /** Prints the table and summary line; true when the vxmesh mesh (if run) converged and had no false removals. */
  private boolean print(List<Mesh> meshes, LoadAverage load0) {
    System.out.println();
    System.out.printf(Locale.ROOT, "vxmesh-lab bench gossip: idle soak %s, %d members per mesh on loopback in one JVM, meshes soaked together;"
        + " every 100 ms each member's view is read: SUSPECT = false suspicion, other non-ALIVE = false removal;"
        + " a mesh not converged within %d s is not soaked (n/a, counted)%n", duration, members, CONVERGE_TIMEOUT.toSeconds());
    List<TimerSet> variants = meshes.stream().map(m -> m.timers).toList();
    List<List<String>> rows = new ArrayList<>();
    StringBuilder s = new StringBuilder("bench gossip members=" + members + " duration=" + duration + " variants="
        + TimerSet.labels(variants));
    boolean ok = true;
    int notConverged = 0;
    for (Mesh m : meshes) {
      boolean soaked = m.convergedMs >= 0;
      notConverged += soaked ? 0 : 1;
      String susp = soaked ? Long.toString(m.suspicions) : "n/a";
      String rem = soaked ? Integer.toString(m.removed.size()) : "n/a";
      List<String> row = new ArrayList<>(List.of(m.timers.label(), BenchSupport.ms(m.convergedMs),
          soaked ? Long.toString(m.observations) : "n/a", susp, rem));
      row.addAll(Ratios.cells(m.timers, variants, t -> meshOf(meshes, t).convergedMs < 0 ? Double.NaN : meshOf(meshes, t).convergedMs));
      row.addAll(Ratios.cells(m.timers, variants, t -> meshOf(meshes, t).convergedMs < 0 ? Double.NaN : meshOf(meshes, t).suspicions));
      rows.add(row);
      String k = m.timers.keyPrefix();
      s.append(' ').append(k).append("converged_ms=").append(BenchSupport.ms(m.convergedMs))
          .append(' ').append(k).append("false_suspect_observations=").append(susp)
          .append(' ').append(k).append("false_removals=").append(rem);
      if (m.timers == TimerSet.VXMESH) {
        ok = soaked && m.removed.isEmpty();
      }
    }
    List<String> header = new ArrayList<>(List.of("timers", "converged_ms", "observations", "false_suspect_observations",
        "false_removals"));
    header.addAll(Ratios.headers(variants, "converged"));
    header.addAll(Ratios.headers(variants, "suspects"));
    BenchSupport.printTable(header, rows);
    s.append(" not_converged=").append(notConverged).append(LoadAverage.report(load0));
    System.out.println(s);
    return ok;
  }
}
