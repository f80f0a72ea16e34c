package io.vxmesh.bench;

import io.vxmesh.testbed.AgentProcess;
import io.vxmesh.testbed.Host;
import io.vxmesh.testbed.Testbed;
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
 * {@code vxmesh bench join}: a mesh of N-1 running agents; a new host's agent is started and
 * timed until (a) every peer has a route to its pod (rtnetlink dumps of every host every 5 ms)
 * and (b) its pod answers pings from every other pod (each pod pings it every 20 ms from before
 * the start; the first reply's timestamp counts). The joiner then leaves and the next repeat
 * starts a fresh host, so every sample is a first join. Baseline in the same run: the same
 * mesh with Atomix's default timers; the joiner's own JVM start-to-READY (its log's
 * startup_ms) is reported as the floor no gossip tuning can beat.
 */
@Command(name = "join", description = "Time for a new host to be routed by every peer and pinged by every pod.")
public final class JoinBench implements Callable<Integer> {
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);

  @Option(names = "--hosts", split = ",", defaultValue = "5,10,20",
      description = "Mesh sizes N including the joiner (default ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(names = "--repeats", defaultValue = "5", description = "Joins per size (default ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--timers", split = ",", defaultValue = "vxmesh,atomix",
      description = "Timer sets: vxmesh (shipped defaults) and/or atomix (Atomix 3.1.12 defaults, baseline).")
  List<String> timers;

  @Option(names = "--show-logs", description = "Print the joiner's log and the seed's log lines about it after each join (to see where the time goes).")
  boolean showLogs;

  private static final Pattern GOSSIP_STARTED =
      Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) INFO +AtomixMembership: gossip started", Pattern.MULTILINE);

  private record Row(TimerSet timers, int hosts, List<Double> route, List<Double> ping, List<Double> ready, List<Double> gossip,
      int failures) {}

  @Override
  public Integer call() {
    BenchSupport.requireRoot("join");
    BenchSupport.quietLogs();
    if (repeats < 1 || sizes.stream().anyMatch(n -> n < 2 || n + repeats > 200)) {
      System.err.println("vxmesh bench join: --hosts must be 2.. and --repeats >= 1 (N + repeats <= 200)");
      return 2;
    }
    List<Row> rows = new ArrayList<>();
    for (String name : timers) {
      TimerSet ts = TimerSet.parse(name);
      for (int n : sizes) {
        try {
          rows.add(measure(ts, n));
        } catch (IllegalStateException e) {
          // e.g. the mesh never converged with these timers: a result too, not a reason to lose the table
          System.out.printf(Locale.ROOT, "join timers=%s N=%d failed: %s%n", ts.label(), n, firstLine(e.getMessage()));
          rows.add(new Row(ts, n, List.of(), List.of(), List.of(), List.of(), repeats));
        }
      }
    }
    print(rows);
    return rows.stream().allMatch(r -> r.failures() == 0) ? 0 : 1;
  }

  private Row measure(TimerSet ts, int n) {
    List<Double> route = new ArrayList<>();
    List<Double> ping = new ArrayList<>();
    List<Double> ready = new ArrayList<>();
    List<Double> gossip = new ArrayList<>();
    int failures = 0;
    try (Testbed tb = Testbed.create(n - 1, true); RouteWatch watch = new RouteWatch()) {
      List<Host> base = tb.hosts();
      Duration up = BenchSupport.startMesh(tb, base, h -> ts.apply(tb.agentConfig(h)), Duration.ofSeconds(180));
      System.out.printf(Locale.ROOT, "join timers=%s: mesh of %d up in %d ms (prefix %s)%n", ts.label(), n - 1, up.toMillis(), tb.prefix());
      BenchSupport.sleep(2000); // let start-up CPU settle
      for (int r = 0; r < repeats; r++) {
        Host joiner = tb.addHost();
        AgentProcess a;
        double routed;
        double pinged;
        Instant wall0;
        try (PodPings pings = PodPings.start(base, joiner)) {
          BenchSupport.sleep(200); // the pings are running before the agent starts
          wall0 = Instant.now();
          long t0 = System.nanoTime();
          a = tb.startAgent(joiner, ts.apply(tb.agentConfig(joiner)));
          routed = watch.await(base, joiner, true, t0, JOIN_TIMEOUT);
          pinged = pings.awaitAll(wall0, t0, JOIN_TIMEOUT);
        }
        OptionalLong readyMs = BenchSupport.readyMs(a, Duration.ofSeconds(10), 0);
        if (routed < 0 || pinged < 0) {
          failures++;
          List<String> lacking = base.stream().filter(h -> !watch.hasRoute(h, joiner)).map(Host::name).toList();
          System.out.printf(Locale.ROOT, "  join %d: %s not routed/pinged within %d s; peers without its route: %s%n", r, joiner.name(),
              JOIN_TIMEOUT.toSeconds(), lacking);
        } else {
          route.add(routed);
          ping.add(pinged);
        }
        readyMs.ifPresent(v -> ready.add((double) v));
        double gossipMs = gossipStartedMs(a, wall0);
        if (gossipMs >= 0) {
          gossip.add(gossipMs);
        }
        System.out.printf(Locale.ROOT, "  join %d: %s routed by all %d peers %s ms, pinged by all pods %s ms, ready %s ms%n",
            r, joiner.name(), base.size(), BenchSupport.ms(routed), BenchSupport.ms(pinged),
            readyMs.isPresent() ? readyMs.getAsLong() : "n/a");
        if (showLogs) {
          System.out.println("  --- " + joiner.name() + " log:");
          a.log().lines().forEach(l -> System.out.println("    " + l));
          System.out.println("  --- " + base.get(0).name() + " log lines about " + joiner.name() + " and datapath:");
          tb.agent(base.get(0)).log().lines().filter(l -> l.contains(joiner.name()) || l.contains("datapath converged"))
              .forEach(l -> System.out.println("    " + l));
        }
        // Depart cleanly so the next repeat joins a mesh of N-1 live members again.
        a.leave();
        a.awaitExit(Duration.ofSeconds(10));
        a.kill();
        watch.await(base, joiner, false, System.nanoTime(), Duration.ofSeconds(30));
        BenchSupport.sleep(500);
      }
    }
    return new Row(ts, n, route, ping, ready, gossip, failures);
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
    ZonedDateTime start = wall0.atZone(ZoneId.systemDefault());
    ZonedDateTime at = start.with(LocalTime.parse(last));
    return Duration.between(wall0, at.toInstant()).toNanos() / 1e6;
  }

  static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  private void print(List<Row> rows) {
    System.out.println();
    System.out.printf(Locale.ROOT, "vxmesh bench join: repeats=%d (p99 of %d samples is their maximum); times from the joiner's JVM start;%n"
        + "gossip_start = JVM start to the joiner's \"gossip started\" line; agent_ready = the agent's own startup_ms (from main())%n",
        repeats, repeats);
    List<List<String>> cells = new ArrayList<>();
    for (Row r : rows) {
      Row base = rows.stream().filter(o -> o.timers() == TimerSet.ATOMIX && o.hosts() == r.hosts()).findFirst().orElse(null);
      double p99 = BenchSupport.percentile(r.route(), 99);
      cells.add(List.of(r.timers().label(), Integer.toString(r.hosts()), Integer.toString(r.route().size()),
          BenchSupport.ms(BenchSupport.percentile(r.route(), 50)), BenchSupport.ms(p99),
          BenchSupport.ms(BenchSupport.percentile(r.ping(), 50)), BenchSupport.ms(BenchSupport.percentile(r.ping(), 99)),
          BenchSupport.ms(BenchSupport.percentile(r.gossip(), 50)),
          BenchSupport.ms(BenchSupport.percentile(r.route(), 50) - BenchSupport.percentile(r.gossip(), 50)),
          BenchSupport.ms(BenchSupport.percentile(r.ready(), 50)),
          base == null || base == r ? "-" : BenchSupport.f2(BenchSupport.percentile(base.route(), 99) / p99) + "x",
          Integer.toString(r.failures())));
    }
    BenchSupport.printTable(List.of("timers", "N", "joins", "route_p50_ms", "route_p99_ms", "ping_p50_ms", "ping_p99_ms",
        "gossip_start_p50_ms", "route_after_gossip_p50_ms", "agent_ready_p50_ms", "vs_atomix_p99", "failed"), cells);
    StringBuilder s = new StringBuilder("bench join");
    for (Row r : rows) {
      String k = (r.timers() == TimerSet.VXMESH ? "" : "atomix_") + "n" + r.hosts();
      s.append(' ').append(k).append("_route_p99_ms=").append(BenchSupport.ms(BenchSupport.percentile(r.route(), 99)))
          .append(' ').append(k).append("_ping_p99_ms=").append(BenchSupport.ms(BenchSupport.percentile(r.ping(), 99)));
    }
    s.append(" goal_ms=1000 failed=").append(rows.stream().mapToInt(Row::failures).sum());
    System.out.println(s);
  }
}
