package io.vxmesh.lab.bench;

import io.vxmesh.api.ApiClient;
import io.vxmesh.proto.LeaveRequest;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Poll;
import io.vxmesh.lab.testbed.Testbed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh-lab bench failure}: in a mesh of N hosts, one host's agent is crashed
 * ({@code kill -9}), frozen ({@code kill -STOP}) or told to leave (the API's leave request,
 * sent in-process so the CLI's JVM start is not counted); timed until the last peer has removed
 * the route to its pod (rtnetlink dumps every 5 ms). After each fault the agent is restarted and
 * the mesh re-converges. Baseline in the same run: the same mesh with Atomix's default timers.
 */
@Command(name = "failure", description = "Time until every peer removed a crashed, frozen or departed host.")
public final class FailureBench implements Callable<Integer> {
  enum Fault {
    KILL("kill -9", 2000),
    STOP("kill -STOP", 5000),
    LEAVE("vxmesh leave", 500);

    final String label;
    final double goalMs;

    Fault(String label, double goalMs) {
      this.label = label;
      this.goalMs = goalMs;
    }
  }

  @Option(names = "--hosts", defaultValue = "5", description = "Mesh size (default ${DEFAULT-VALUE}).")
  int hosts;

  @Option(names = "--repeats", defaultValue = "3", description = "Faults of each kind per timer set (default ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--timers", split = ",", defaultValue = "vxmesh,atomix",
      description = "Timer sets: vxmesh (shipped defaults) and/or atomix (Atomix 3.1.12 defaults, baseline).")
  List<String> timers;

  @Option(names = "--soak", description = "Also run an idle soak of this ISO-8601 duration (e.g. PT10M) on a 10-host mesh with vxmesh timers, counting false removals.")
  Duration soak;

  @Override
  public Integer call() {
    BenchSupport.requireRoot("failure");
    BenchSupport.quietLogs();
    if (hosts < 3 || repeats < 1) {
      System.err.println("vxmesh-lab bench failure: --hosts must be >= 3 and --repeats >= 1");
      return 2;
    }
    LoadAverage load0 = LoadAverage.now();
    Map<TimerSet, Map<Fault, Samples>> results = new EnumMap<>(TimerSet.class);
    for (String name : timers) {
      TimerSet ts = TimerSet.parse(name);
      Map<Fault, Samples> byFault = new EnumMap<>(Fault.class);
      for (Fault f : Fault.values()) {
        byFault.put(f, new Samples());
      }
      try {
        measure(ts, byFault);
      } catch (IllegalStateException e) {
        // e.g. the mesh never converged with these timers: report it and keep the other set's results
        System.out.printf(Locale.ROOT, "failure timers=%s failed: %s%n", ts.label(), JoinBench.firstLine(e.getMessage()));
      }
      // Faults the run never reached count as not measured, like a timeout.
      byFault.values().forEach(s -> s.expect(repeats));
      results.put(ts, byFault);
    }
    long falseRemovals = soak == null ? -1 : soak(soak);
    boolean goalsMet = print(results, falseRemovals, load0);
    return goalsMet && timeouts(results) == 0 && falseRemovals <= 0 ? 0 : 1;
  }

  private static int timeouts(Map<TimerSet, Map<Fault, Samples>> results) {
    return results.values().stream().flatMap(m -> m.values().stream()).mapToInt(Samples::unmeasured).sum();
  }

  private void measure(TimerSet ts, Map<Fault, Samples> out) {
    Duration budget = ts == TimerSet.ATOMIX ? Duration.ofSeconds(120) : Duration.ofSeconds(30);
    try (Testbed tb = Testbed.create(hosts, true); RouteWatch watch = new RouteWatch()) {
      List<Host> all = tb.hosts();
      BenchSupport.startMesh(tb, all, h -> ts.apply(tb.agentToml(h)), Duration.ofSeconds(120));
      System.out.printf(Locale.ROOT, "failure timers=%s: mesh of %d up (prefix %s)%n", ts.label(), hosts, tb.prefix());
      Host victim = all.get(all.size() - 1);
      for (Fault f : Fault.values()) {
        Samples samples = out.get(f);
        for (int r = 0; r < repeats; r++) {
          BenchSupport.sleep(1000);
          AgentProcess a = tb.agent(victim);
          long t0 = System.nanoTime();
          CompletableFuture<Void> leave = CompletableFuture.completedFuture(null);
          switch (f) {
            case KILL -> a.kill();
            case STOP -> a.freeze();
            case LEAVE -> leave = CompletableFuture.runAsync(() -> sendLeave(a));
          }
          double ms = watch.await(all, victim, false, t0, budget);
          leave.join();
          System.out.printf(Locale.ROOT, "  %s timers=%s repeat %d: last peer removed %s after %s ms%n",
              f.label, ts.label(), r, victim.name(), BenchSupport.ms(ms));
          samples.add(ms); // -1, a timeout, is counted as not measured
          if (f == Fault.LEAVE) {
            a.awaitExit(Duration.ofSeconds(10));
          }
          a.kill(); // SIGKILL also ends a stopped process
          tb.startAgent(victim, ts.apply(tb.agentToml(victim)));
          if (!Poll.until(budget, Duration.ofMillis(100), () -> tb.convergence().converged(all))) {
            throw new IllegalStateException(victim.name() + " did not rejoin within " + budget.toMillis() + " ms: "
                + tb.convergence().missingRoutes(all) + "\n" + tb.diagnostics());
          }
        }
      }
    }
  }

  private static void sendLeave(AgentProcess a) {
    try (ApiClient c = ApiClient.connect(a.socket(), Duration.ofSeconds(10))) {
      c.expect(Request.newBuilder().setLeave(LeaveRequest.getDefaultInstance()).build(), Response.KindCase.LEAVE);
    } catch (Exception e) {
      throw new IllegalStateException("leave request to " + a.host().name() + " failed: " + e.getMessage(), e);
    }
  }

  /** A 10-host mesh idles for {@code d}; returns how many (observer, member) pairs lost a route meanwhile. */
  private static long soak(Duration d) {
    try (Testbed tb = Testbed.create(10, true); RouteWatch watch = new RouteWatch()) {
      List<Host> all = tb.hosts();
      BenchSupport.startMesh(tb, all, tb::agentToml, Duration.ofSeconds(180));
      System.out.printf(Locale.ROOT, "soak: 10 hosts idle for %s (prefix %s)%n", d, tb.prefix());
      long removals = 0;
      long end = System.nanoTime() + d.toNanos();
      while (System.nanoTime() < end) {
        for (Host h : all) {
          for (Host o : all) {
            if (!o.equals(h) && !watch.hasRoute(h, o)) {
              removals++;
              System.out.printf(Locale.ROOT, "  soak: %s lacks the route to %s%n", h.name(), o.name());
            }
          }
        }
        BenchSupport.sleep(100);
      }
      return removals;
    }
  }

  /** Prints the table and the summary line; returns whether every vxmesh goal was met (false when vxmesh was not run). */
  private boolean print(Map<TimerSet, Map<Fault, Samples>> results, long falseRemovals, LoadAverage load0) {
    System.out.println();
    System.out.printf(Locale.ROOT, "vxmesh-lab bench failure: hosts=%d repeats=%d; time from the fault until the last peer removed the route;"
        + " a repeat that timed out is not measured: counted in *_timeouts, left out of the times, and its goal is missed%n", hosts, repeats);
    List<List<String>> rows = new ArrayList<>();
    Map<Fault, Samples> vx = results.get(TimerSet.VXMESH);
    Map<Fault, Samples> at = results.get(TimerSet.ATOMIX);
    StringBuilder s = new StringBuilder("bench failure hosts=" + hosts);
    boolean allMet = vx != null;
    for (Fault f : Fault.values()) {
      Samples v = vx == null ? new Samples() : vx.get(f);
      Samples b = at == null ? new Samples() : at.get(f);
      String met = vx == null ? "n/a (not run)" : v.verdict(f.goalMs);
      allMet &= v.allWithin(f.goalMs);
      rows.add(List.of(f.label, BenchSupport.ms(v.percentile(50)), BenchSupport.ms(v.percentile(100)), timeouts(vx, f),
          BenchSupport.ms(b.percentile(50)), BenchSupport.ms(b.percentile(100)), timeouts(at, f),
          BenchSupport.ratio(b.percentile(50), v.percentile(50)), BenchSupport.ms(f.goalMs), met));
      String k = f.name().toLowerCase(Locale.ROOT);
      s.append(' ').append(k).append("_ms=").append(BenchSupport.ms(v.percentile(50))).append(' ').append(k).append("_max_ms=")
          .append(BenchSupport.ms(v.percentile(100))).append(' ').append(k).append("_timeouts=").append(timeouts(vx, f))
          .append(" atomix_").append(k).append("_ms=").append(BenchSupport.ms(b.percentile(50)))
          .append(" atomix_").append(k).append("_timeouts=").append(timeouts(at, f));
    }
    BenchSupport.printTable(List.of("fault", "vxmesh_p50_ms", "vxmesh_max_ms", "vxmesh_timeouts", "atomix_p50_ms", "atomix_max_ms",
        "atomix_timeouts", "atomix/vxmesh_p50", "goal_ms", "goal_met"), rows);
    if (falseRemovals >= 0) {
      System.out.printf(Locale.ROOT, "idle soak %s, 10 hosts: route losses observed=%d%n", soak, falseRemovals);
      s.append(" soak_false_removals=").append(falseRemovals);
    }
    s.append(" timeouts=").append(timeouts(results)).append(" goals_met=").append(vx == null ? "n/a" : allMet ? "yes" : "no");
    s.append(LoadAverage.report(load0));
    System.out.println(s);
    return allMet;
  }

  private static String timeouts(Map<Fault, Samples> m, Fault f) {
    return m == null ? "n/a" : Integer.toString(m.get(f).unmeasured());
  }
}
