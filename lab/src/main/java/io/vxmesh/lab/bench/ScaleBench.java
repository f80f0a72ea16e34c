package io.vxmesh.lab.bench;

import io.vxmesh.datapath.Datapath;
import io.vxmesh.datapath.Peer;
import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.gossip.Announced;
import io.vxmesh.gossip.MemberState;
import io.vxmesh.gossip.MemberStatus;
import io.vxmesh.gossip.MembershipView;
import io.vxmesh.net.HostPort;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.reconcile.DesiredState;
import io.vxmesh.reconcile.Reconciler;
import io.vxmesh.lab.testbed.Exec;
import io.vxmesh.lab.testbed.Testbed;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh-lab bench scale}: the agent's real reconcile path (Reconciler → DesiredState →
 * Datapath over rtnetlink) on a VTEP in a namespace it creates, fed in-process with N synthetic
 * trusted members (ALIVE, with signed-equivalent decoded announcements; gossip itself is not
 * part of this measurement). Timed from switching the membership view and waking the reconciler
 * until its pass finished with every peer installed (converge), and from switching to an empty
 * view until every peer object is gone (clean). Each result is verified with a dump (untimed).
 * Baseline in the same run: the same neighbours, FDB entries, nexthops and routes through
 * {@code ip -batch} + {@code bridge -batch} (3 processes each way). The JIT is warmed with one
 * untimed 2,000-member round first, as it is in a long-running agent.
 */
@Command(name = "scale", description = "Reconcile N synthetic members into the kernel vs ip -batch.")
public final class ScaleBench implements Callable<Integer> {
  private static final int VNI = 10001;
  /** The goal is set for this many members: converge within GOAL_MS and at least GOAL_SPEEDUP times faster than ip -batch. */
  static final int GOAL_PEERS = 10_000;
  static final double GOAL_MS = 1000;
  static final double GOAL_SPEEDUP = 2;

  @Option(names = "--peers", split = ",", defaultValue = "1000,5000,10000",
      description = "Member counts (default ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(names = "--repeats", defaultValue = "3", description = "Rounds per size; medians are reported (default ${DEFAULT-VALUE}).")
  int repeats;

  private record Row(int peers, double convergeMs, double cleanMs, double ipInMs, double ipOutMs, double desiredMs) {}

  @Override
  public Integer call() throws Exception {
    BenchSupport.requireRoot("scale");
    BenchSupport.quietLogs();
    if (sizes.stream().anyMatch(n -> n < 1 || n > 60_000)) {
      System.err.println("vxmesh-lab bench scale: --peers must be 1..60000");
      return 2;
    }
    LoadAverage load0 = LoadAverage.now();
    String ns = Testbed.newPrefix() + "-scale";
    Thread hook = new Thread(() -> Exec.run(Duration.ofSeconds(30), List.of("ip", "netns", "del", ns)));
    Runtime.getRuntime().addShutdownHook(hook);
    Exec.run(Duration.ofSeconds(10), List.of("ip", "netns", "add", ns)).orThrow();
    List<Row> rows = new ArrayList<>();
    try {
      VtepSpec spec = new VtepSpec(NetlinkBench.DEV, VNI, 4899, IpAddresses.parseV4("10.211.55.5"), null,
          MacAddress.parse("c2:6a:9b:e5:39:8d"), IpPrefix.parse("179.16.0.1/12"), 1450);
      AtomicReference<MembershipView> view = new AtomicReference<>(view(1, List.of()));
      try (Datapath dp = Datapath.openIn(ns);
          Reconciler rec = new Reconciler(view::get, List.of(spec), dp, Duration.ofHours(1), Duration.ofSeconds(1), Clock.systemUTC())) {
        rec.start();
        if (!rec.awaitConverged(Duration.ofSeconds(10))) {
          throw new IllegalStateException("the reconciler never finished its first pass: " + rec.status());
        }
        long rev = 2;
        // JIT warm-up, untimed.
        pass(rec, view, view(rev++, members(Math.min(2000, sizes.stream().mapToInt(i -> i).max().orElse(1)))));
        pass(rec, view, view(rev++, List.of()));
        for (int n : sizes) {
          List<MemberState> members = members(n);
          List<Double> in = new ArrayList<>();
          List<Double> out = new ArrayList<>();
          List<Double> ipIn = new ArrayList<>();
          List<Double> ipOut = new ArrayList<>();
          List<Double> desired = new ArrayList<>();
          for (int r = 0; r < repeats; r++) {
            MembershipView v = view(rev++, members);
            long t = System.nanoTime();
            DesiredState.peersFor(v, VNI); // the pure part of a pass, timed alone for the breakdown
            desired.add(BenchSupport.msSince(t));
            in.add(pass(rec, view, v));
            check(dp.installed(spec).state().size() == 4 * n, "after converge the dump found " + dp.installed(spec).state().size()
                + " objects, expected " + 4 * n);
            out.add(pass(rec, view, view(rev++, List.of())));
            check(dp.installed(spec).state().size() == 0, "after clean the dump found " + dp.installed(spec).state().size() + " objects");
            double[] ip = Iproute2Batch.installAndRemove(ns, NetlinkBench.peers(n), () -> {}, () -> {});
            check(dp.installed(spec).state().size() == 0, "ip -batch removal left " + dp.installed(spec).state().size() + " objects");
            ipIn.add(ip[0]);
            ipOut.add(ip[1]);
            System.out.printf(Locale.ROOT, "  %d members, round %d: converge %.0f ms, clean %.0f ms; ip -batch install %.0f ms, remove %.0f ms%n",
                n, r, in.get(r), out.get(r), ip[0], ip[1]);
          }
          rows.add(new Row(n, med(in), med(out), med(ipIn), med(ipOut), med(desired)));
        }
      }
    } finally {
      Exec.run(Duration.ofSeconds(30), List.of("ip", "netns", "del", ns));
      Runtime.getRuntime().removeShutdownHook(hook);
    }
    return print(rows, load0);
  }

  /** Switches the view, wakes the reconciler and waits for the pass that saw it; returns ms. */
  private static double pass(Reconciler rec, AtomicReference<MembershipView> ref, MembershipView v) {
    int want = v.programmablePeers().size();
    long before = rec.status().passes();
    long t0 = System.nanoTime();
    ref.set(v);
    rec.wake();
    long deadline = t0 + Duration.ofSeconds(120).toNanos();
    while (true) {
      Reconciler.Status s = rec.status();
      Reconciler.NetworkCounts c = s.networks().get(VNI);
      if (s.passes() > before && c != null && c.desired() == want && c.installed() == want && "ok".equals(s.lastResult())) {
        return BenchSupport.msSince(t0);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("reconciler did not converge " + want + " peers within 120 s: " + s);
      }
      BenchSupport.sleep(1);
    }
  }

  private static double med(List<Double> v) {
    return BenchSupport.percentile(v, 50);
  }

  private static MembershipView view(long revision, List<MemberState> members) {
    return new MembershipView(revision, true, members);
  }

  /** N trusted, alive members announcing the peers of {@link NetlinkBench#peers}. */
  static List<MemberState> members(int n) {
    List<MemberState> out = new ArrayList<>(n);
    for (Peer p : NetlinkBench.peers(n)) {
      Announced a = new Announced(p.name(), p.hostIp(),
          List.of(new Announced.Network(VNI, 4899, p.vtepMac(), new IpPrefix(p.vtepIp(), 12), p.podCidr(), 1450)),
          0, Announced.State.ALIVE, 0, "bench");
      out.add(new MemberState(p.name(), new HostPort(p.hostIp(), 7947), MemberStatus.ALIVE, a, "", false));
    }
    return out;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("bench scale check failed: " + what);
    }
  }

  /** "yes"/"no" for a row of {@link #GOAL_PEERS} members, "-" for other sizes (the goal is not set for them). */
  static String goalMet(int peers, double convergeMs, double ipBatchMs) {
    if (peers != GOAL_PEERS) {
      return "-";
    }
    return !Double.isNaN(convergeMs) && convergeMs <= GOAL_MS && ipBatchMs / convergeMs >= GOAL_SPEEDUP ? "yes" : "no";
  }

  private int print(List<Row> rows, LoadAverage load0) {
    System.out.println();
    System.out.printf(Locale.ROOT, "vxmesh-lab bench scale: Reconciler + Datapath (rtnetlink) in one namespace, per member a neighbour, FDB entry,"
        + " nexthop and route; medians of %d rounds; desired_state_ms = DesiredState.peersFor alone (part of converge);"
        + " goal at %d members: converge <= %.0f ms and >= %.0fx ip -batch%n", repeats, GOAL_PEERS, GOAL_MS, GOAL_SPEEDUP);
    List<List<String>> cells = new ArrayList<>();
    StringBuilder s = new StringBuilder("bench scale");
    String goal = "n/a";
    for (Row r : rows) {
      String met = goalMet(r.peers(), r.convergeMs(), r.ipInMs());
      cells.add(List.of(Integer.toString(r.peers()), BenchSupport.ms(r.convergeMs()), BenchSupport.ms(r.cleanMs()),
          BenchSupport.ms(r.ipInMs()), BenchSupport.ms(r.ipOutMs()), BenchSupport.ratio(r.ipInMs(), r.convergeMs()),
          BenchSupport.ratio(r.ipOutMs(), r.cleanMs()), BenchSupport.ms(r.desiredMs()), met));
      s.append(" p").append(r.peers()).append("_converge_ms=").append(BenchSupport.ms(r.convergeMs()))
          .append(" p").append(r.peers()).append("_clean_ms=").append(BenchSupport.ms(r.cleanMs()))
          .append(" p").append(r.peers()).append("_vs_ip_batch=").append(BenchSupport.f2(r.ipInMs() / r.convergeMs()));
      if (!met.equals("-")) {
        goal = goal.equals("no") ? "no" : met;
      }
    }
    BenchSupport.printTable(List.of("members", "converge_ms", "clean_ms", "ip_batch_install_ms", "ip_batch_remove_ms",
        "install_speedup", "remove_speedup", "desired_state_ms", "goal_met"), cells);
    if (goal.equals("n/a")) {
      System.out.printf(Locale.ROOT, "goal not evaluated: %d not in --peers%n", GOAL_PEERS);
    }
    s.append(" goal_10000_ms=1000 goal_speedup=2 goal_met=").append(goal).append(LoadAverage.report(load0));
    System.out.println(s);
    return goal.equals("no") ? 1 : 0;
  }
}
