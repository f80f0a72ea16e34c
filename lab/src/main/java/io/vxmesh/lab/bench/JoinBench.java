package io.vxmesh.lab.bench;

import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Testbed;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh-lab bench join}: a mesh of N-1 running agents; a new host's agent is started and
 * timed until (a) every peer has a route to its pod (rtnetlink dumps of every host every 5 ms)
 * and (b) its pod answers pings from every other pod (each pod pings it every 20 ms from before
 * the start; the first reply's timestamp counts). The joiner then leaves and the next repeat
 * starts a fresh host, so every sample is a first join. Baselines in the same run: the same
 * mesh with each other variant of {@code --timers} ({@link TimerSet}: the agent before issue 11,
 * Atomix's defaults); the joiner's own JVM start-to-READY (its log's startup_ms) is reported as
 * the floor no gossip tuning can beat. Before the first join the route watcher warms up
 * ({@link RouteWatch#warmUp}) and, with {@code --mesh-age S}, the mesh runs S more seconds (a
 * mesh that has just started still runs its join path interpreted: BENCHMARKS.md, fourth session).
 */
@Command(name = "join", description = "Time for a new host to be routed by every peer and pinged by every pod.")
public final class JoinBench implements Callable<Integer> {
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
  /** The goal: p99 of route and ping times at most GOAL_MS at GOAL_HOSTS hosts, with vxmesh's timers. */
  private static final int GOAL_HOSTS = 20;
  private static final double GOAL_MS = 1000;
  /** Issue 11's target: route_after_gossip p99 at most this at GOAL_HOSTS hosts, with vxmesh's protocol. */
  static final double TARGET_AFTER_GOSSIP_MS = 300;
  /**
   * A join starts when at most this fraction of the box's CPUs is busy (see settle). 40 % let the
   * first join start 0.5 s after a mesh of 19 finished starting, at 27-29 % busy with the peers
   * still at 0.44 core-s/s against 0.27-0.30 before later joins (JIT of their start-up): the
   * first join was the slowest in every run. A settled 20-host mesh with its pods pinging sits at
   * 4-20 %.
   */
  private static final double SETTLED_BUSY = 0.25;

  @Option(names = "--hosts", split = ",", defaultValue = "5,10,20",
      description = "Mesh sizes N including the joiner (default ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(names = "--repeats", defaultValue = "5", description = "Joins per size (default ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--timers", split = ",", converter = TimerSet.Name.class, defaultValue = TimerSet.DEFAULT_LIST, description = TimerSet.HELP)
  List<String> timers;

  @Option(names = "--mesh-age", defaultValue = "0",
      description = "Seconds the mesh runs before the first join, after it settled (default ${DEFAULT-VALUE}).")
  int meshAgeS;

  @Option(names = "--show-logs", description = "Print the joiner's log and the seed's log lines about it after each join (to see where the time goes).")
  boolean showLogs;

  private static final Pattern GOSSIP_STARTED =
      Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) INFO +AtomixMembership: gossip started", Pattern.MULTILINE);

  /**
   * One mesh size. Per join: route, ping (from the joiner's JVM start), ready (its startup_ms),
   * gossip (JVM start to its "gossip started" line) and afterGossip = route − gossip of that
   * same join; a join's value that was not measured (timeout, missing log line) is counted in
   * its series, not added to it.
   */
  private record Row(TimerSet timers, int hosts, Samples route, Samples ping, Samples ready, Samples gossip, Samples afterGossip,
      int failures) {
    static Row failed(TimerSet timers, int hosts, int repeats) {
      return new Row(timers, hosts, new Samples().expect(repeats), new Samples().expect(repeats), new Samples().expect(repeats),
          new Samples().expect(repeats), new Samples().expect(repeats), repeats);
    }
  }

  @Override
  public Integer call() {
    BenchSupport.requireRoot("join");
    BenchSupport.quietLogs();
    if (repeats < 1 || sizes.stream().anyMatch(n -> n < 2 || n + repeats > 200)) {
      System.err.println("vxmesh-lab bench join: --hosts must be 2.. and --repeats >= 1 (N + repeats <= 200)");
      return 2;
    }
    if (meshAgeS < 0) {
      System.err.println("vxmesh-lab bench join: --mesh-age must be >= 0 (seconds), got " + meshAgeS);
      return 2;
    }
    List<TimerSet> variants = TimerSet.parseList(timers);
    LoadAverage load0 = LoadAverage.now();
    List<Row> rows = new ArrayList<>();
    for (TimerSet ts : variants) {
      for (int n : sizes) {
        try {
          rows.add(measure(ts, n));
        } catch (IllegalStateException e) {
          // e.g. the mesh never converged with these timers: a result too, not a reason to lose the table
          System.out.printf(Locale.ROOT, "join timers=%s N=%d failed: %s%n", ts.label(), n, firstLine(e.getMessage()));
          rows.add(Row.failed(ts, n, repeats));
        }
      }
    }
    print(variants, rows, load0);
    return rows.stream().allMatch(r -> r.failures() == 0) ? 0 : 1;
  }

  private Row measure(TimerSet ts, int n) {
    Samples route = new Samples();
    Samples ping = new Samples();
    Samples ready = new Samples();
    Samples gossip = new Samples();
    Samples afterGossip = new Samples();
    int failures = 0;
    double tickMs = showLogs ? 1000.0 / FootprintBench.clockTicks() : 0; // getconf once, for --show-logs' CPU lines
    try (Testbed tb = Testbed.create(n - 1, true); RouteWatch watch = new RouteWatch()) {
      tb.expectHosts(n - 1 + repeats); // one fresh joiner per repeat: neighbour limits sized once
      List<Host> base = tb.hosts();
      Duration up = BenchSupport.startMesh(tb, base, h -> ts.apply(tb.agentToml(h)), Duration.ofSeconds(180));
      System.out.printf(Locale.ROOT, "join timers=%s: mesh of %d up in %d ms (prefix %s)%n", ts.label(), n - 1, up.toMillis(), tb.prefix());
      int dumps = watch.warmUp(base);
      System.out.printf(Locale.ROOT, "  observer warmed up: %d route dumps in %d s%n", dumps, RouteWatch.WARM_UP.toSeconds());
      settle("mesh started");
      if (meshAgeS > 0) {
        BenchSupport.sleep(meshAgeS * 1000L);
        settle("the mesh ran " + meshAgeS + " s");
      }
      for (int r = 0; r < repeats; r++) {
        Host joiner = tb.addHost();
        AgentProcess a;
        double routed;
        double pinged;
        Instant wall0;
        try (PodPings pings = PodPings.start(base, joiner)) {
          BenchSupport.sleep(200); // the pings are running before the agent starts
          if (showLogs) {
            long c0 = meshTicks(tb, base);
            BenchSupport.sleep(1000);
            System.out.printf(Locale.ROOT, "  CPU of the %d peers in 1 s before the join, pings running: %s ms together%n", base.size(),
                BenchSupport.ms((meshTicks(tb, base) - c0) * tickMs));
          }
          long meshCpu0 = showLogs ? meshTicks(tb, base) : 0;
          wall0 = Instant.now();
          long t0 = System.nanoTime();
          a = tb.startAgent(joiner, ts.apply(tb.agentToml(joiner)));
          routed = watch.await(base, joiner, true, t0, JOIN_TIMEOUT);
          if (showLogs) {
            System.out.printf(Locale.ROOT, "  CPU until routed by all: joiner %s ms from its JVM start; the %d peers %s ms together since the joiner's start%n",
                BenchSupport.ms(FootprintBench.cpuTicks(a.pid()) * tickMs), base.size(), BenchSupport.ms((meshTicks(tb, base) - meshCpu0) * tickMs));
          }
          pinged = pings.awaitAll(wall0, t0, JOIN_TIMEOUT);
        }
        OptionalLong readyMs = BenchSupport.readyMs(a, Duration.ofSeconds(10), 0);
        if (routed < 0 || pinged < 0) {
          failures++;
          List<String> lacking = base.stream().filter(h -> !watch.hasRoute(h, joiner)).map(Host::name).toList();
          System.out.printf(Locale.ROOT, "  join %d: %s not routed/pinged within %d s; peers without its route: %s%n", r, joiner.name(),
              JOIN_TIMEOUT.toSeconds(), lacking);
        }
        route.add(routed);
        ping.add(pinged);
        ready.add(readyMs.isPresent() ? readyMs.getAsLong() : -1);
        double gossipMs = gossipStartedMs(a, wall0);
        gossip.add(gossipMs);
        afterGossip.add(afterGossipMs(routed, gossipMs));
        System.out.printf(Locale.ROOT, "  join %d: %s routed by all %d peers %s ms (%s ms after gossip started), pinged by all pods %s ms,"
            + " ready %s ms%n", r, joiner.name(), base.size(), BenchSupport.ms(routed), BenchSupport.ms(afterGossipMs(routed, gossipMs)),
            BenchSupport.ms(pinged), readyMs.isPresent() ? readyMs.getAsLong() : "n/a");
        if (showLogs) {
          System.out.println("  --- " + joiner.name() + " log:");
          a.log().lines().forEach(l -> System.out.println("    " + l));
          System.out.println("  --- per peer, ms after " + joiner.name() + "'s \"gossip started\" line (logback times, ms resolution):");
          List<List<String>> steps = new ArrayList<>();
          for (Host h : base) {
            PeerSteps ps = PeerSteps.of(tb.agent(h).log(), joiner.name(), wall0, gossipMs);
            steps.add(List.of(h.name(), signedMs(ps.learned()), signedMs(ps.proven()), signedMs(ps.installed()), ps.statuses()));
          }
          steps.sort(java.util.Comparator.comparingDouble(c -> c.get(3).equals("n/a") ? Double.MAX_VALUE : Double.parseDouble(c.get(3))));
          BenchSupport.printTable(List.of("peer", "learned_ms", "proven_ms", "installed_ms", "statuses"), steps);
        }
        // Depart cleanly so the next repeat joins a mesh of N-1 live members again.
        a.leave();
        a.awaitExit(Duration.ofSeconds(10));
        a.kill();
        watch.await(base, joiner, false, System.nanoTime(), Duration.ofSeconds(30));
        settle("after the leave");
      }
    }
    return new Row(ts, n, route, ping, ready, gossip, afterGossip, failures);
  }

  private static long meshTicks(Testbed tb, List<Host> hosts) {
    long sum = 0;
    for (Host h : hosts) {
      sum += FootprintBench.cpuTicks(tb.agent(h).pid());
    }
    return sum;
  }

  /**
   * Before each join the box must be quiet (at most 25 % of its CPUs busy over two 250 ms
   * windows, waiting at most 30 s): the mesh's own start-up JIT or the previous joiner's leave
   * must not be what a join is timed against. Says how long that took.
   */
  private static void settle(String after) {
    BenchSupport.Settled s = BenchSupport.settle(SETTLED_BUSY, Duration.ofMillis(250), Duration.ofSeconds(30));
    System.out.printf(Locale.ROOT, "  settled %s: %.0f ms until CPUs busy <= %.0f %% (last window %.0f %%)%n", after, s.waitedMs(),
        SETTLED_BUSY * 100, s.lastBusy() * 100);
  }

  /**
   * The part of one join after gossip started: its route time minus its own gossip start, both
   * from the same JVM start; -1 (not measured) when either is. A difference of two medians
   * would mix joins and need not be any join's value.
   */
  static double afterGossipMs(double routedMs, double gossipStartedMs) {
    return routedMs < 0 || gossipStartedMs < 0 ? -1 : routedMs - gossipStartedMs;
  }

  /**
   * Milliseconds from {@code wall0} to the joiner's "gossip started" log line (logback's local
   * time of day, ms resolution): the part of a join that is JVM start-up and agent set-up, before
   * gossip can do anything. -1 when the line is missing.
   */
  static double gossipStartedMs(AgentProcess a, Instant wall0) {
    Matcher m = GOSSIP_STARTED.matcher(a.log());
    String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    if (last == null) {
      return -1;
    }
    return msAfter(wall0, last);
  }

  /** Milliseconds from {@code wall0} to a log line's local time of day ("HH:mm:ss.SSS", same day). */
  static double msAfter(Instant wall0, String timeOfDay) {
    ZonedDateTime at = wall0.atZone(ZoneId.systemDefault()).with(LocalTime.parse(timeOfDay));
    return Duration.between(wall0, at.toInstant()).toNanos() / 1e6;
  }

  /**
   * When one peer's agent learned of the joiner (its first status line about it), proved its host
   * address (status alive) and installed it (peer installed), each in ms after the joiner's gossip
   * started (negative: before that line was logged); NaN when the line is missing. For {@code --show-logs}: where a join's time goes.
   */
  record PeerSteps(double learned, double proven, double installed, String statuses) {
    static PeerSteps of(String log, String joiner, Instant wall0, double gossipMs) {
      double learned = Double.NaN;
      double proven = Double.NaN;
      double installed = Double.NaN;
      StringBuilder statuses = new StringBuilder();
      for (String line : log.lines().toList()) {
        if (line.length() < 12 || !Character.isDigit(line.charAt(0))) {
          continue;
        }
        boolean status = line.contains("member status node=" + joiner + " ");
        boolean install = line.contains("peer installed") && line.endsWith("peer=" + joiner);
        if (!status && !install) {
          continue;
        }
        double at = msAfter(wall0, line.substring(0, 12)) - gossipMs;
        if (status) {
          int i = line.indexOf("status=");
          int j = line.indexOf(' ', i);
          statuses.append(statuses.length() == 0 ? "" : ",").append(line, i + 7, j < 0 ? line.length() : j).append('@')
              .append(signedMs(at));
        }
        if (status && Double.isNaN(learned)) {
          learned = at;
        }
        if (status && Double.isNaN(proven) && line.contains("status=alive")) {
          proven = at;
        }
        if (install && Double.isNaN(installed)) {
          installed = at;
        }
      }
      return new PeerSteps(learned, proven, installed, statuses.length() == 0 ? "-" : statuses.toString());
    }
  }

  /** "-12" or "340": a step may come before the joiner's "gossip started" line; "n/a" when missing. */
  static String signedMs(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
  }

  static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  private void print(List<TimerSet> variants, List<Row> rows, LoadAverage load0) {
    System.out.println();
    System.out.printf(Locale.ROOT, "vxmesh-lab bench join: repeats=%d (p99 of %d samples is their maximum); times from the joiner's JVM start;%n"
        + "gossip_start = JVM start to the joiner's \"gossip started\" line; route_after_gossip = per join, its route time minus its own"
        + " gossip_start; agent_ready = the agent's own startup_ms (from main()); a value not measured (timeout, missing line)"
        + " is counted in failed/unmeasured, not in the percentiles; {baseline}/this_route_p99 = the baseline's route p99 at the same N"
        + " over this row's; goal (issue 6): route and ping p99 <= %.0f ms at N=%d (vxmesh); target (issue 11): route_after_gossip p99"
        + " <= %.0f ms at N=%d (vxmesh)%n",
        repeats, repeats, GOAL_MS, GOAL_HOSTS, TARGET_AFTER_GOSSIP_MS, GOAL_HOSTS);
    List<List<String>> cells = new ArrayList<>();
    String goal = "n/a";
    String target = "n/a";
    for (Row r : rows) {
      double p99 = r.route().percentile(99);
      String met = "-";
      String targetMet = "-";
      if (r.timers() == TimerSet.VXMESH && r.hosts() == GOAL_HOSTS) {
        met = r.route().within(99, GOAL_MS) && r.ping().within(99, GOAL_MS) ? "yes" : "no";
        goal = met;
        targetMet = r.afterGossip().within(99, TARGET_AFTER_GOSSIP_MS) ? "yes" : "no";
        target = targetMet;
      }
      List<String> row = new ArrayList<>(List.of(r.timers().label(), Integer.toString(r.hosts()), Integer.toString(r.route().measured().size()),
          Integer.toString(r.failures()), BenchSupport.ms(r.route().percentile(50)), BenchSupport.ms(p99),
          BenchSupport.ms(r.ping().percentile(50)), BenchSupport.ms(r.ping().percentile(99)),
          BenchSupport.ms(r.gossip().percentile(50)), BenchSupport.ms(r.afterGossip().percentile(50)),
          BenchSupport.ms(r.afterGossip().percentile(99)), Integer.toString(r.afterGossip().unmeasured()),
          BenchSupport.ms(r.ready().percentile(50)), Integer.toString(r.ready().unmeasured())));
      row.addAll(Ratios.cells(r.timers(), variants, b -> rows.stream().filter(o -> o.timers() == b && o.hosts() == r.hosts())
          .findFirst().map(o -> o.route().percentile(99)).orElse(Double.NaN)));
      row.add(met);
      row.add(targetMet);
      cells.add(row);
    }
    List<String> header = new ArrayList<>(List.of("timers", "N", "joins", "failed", "route_p50_ms", "route_p99_ms", "ping_p50_ms",
        "ping_p99_ms", "gossip_start_p50_ms", "route_after_gossip_p50_ms", "route_after_gossip_p99_ms", "after_gossip_unmeasured",
        "agent_ready_p50_ms", "not_ready"));
    header.addAll(Ratios.headers(variants, "route_p99"));
    header.add("goal_met");
    header.add("target_met");
    BenchSupport.printTable(header, cells);
    if (goal.equals("n/a")) {
      System.out.printf(Locale.ROOT, "goal not evaluated: N=%d with vxmesh timers not in this run%n", GOAL_HOSTS);
    }
    StringBuilder s = new StringBuilder("bench join variants=" + TimerSet.labels(variants));
    for (Row r : rows) {
      String k = r.timers().keyPrefix() + "n" + r.hosts();
      s.append(' ').append(k).append("_route_p99_ms=").append(BenchSupport.ms(r.route().percentile(99)))
          .append(' ').append(k).append("_ping_p99_ms=").append(BenchSupport.ms(r.ping().percentile(99)))
          .append(' ').append(k).append("_after_gossip_p50_ms=").append(BenchSupport.ms(r.afterGossip().percentile(50)))
          .append(' ').append(k).append("_after_gossip_p99_ms=").append(BenchSupport.ms(r.afterGossip().percentile(99)));
    }
    s.append(" goal_ms=1000 goal_met=").append(goal).append(" target_after_gossip_p99_ms=300 target_met=").append(target)
        .append(" failed=").append(rows.stream().mapToInt(Row::failures).sum())
        .append(LoadAverage.report(load0));
    System.out.println(s);
  }
}
