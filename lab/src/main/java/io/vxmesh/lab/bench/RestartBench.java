package io.vxmesh.lab.bench;

import io.vxmesh.lab.testbed.AgentToml;
import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.PingResult;
import io.vxmesh.lab.testbed.Testbed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh-lab bench restart}: the pod of host 0 pings the pod of host 1 100 times a second
 * while host 1's agent restarts; counts the packets lost. Variants, each on its own mesh:
 * vxmesh as shipped (SIGTERM announces RESTARTING, peers keep the routes for the restart grace,
 * the restarting host keeps its kernel state), the same with the restart grace cut to 1 ms
 * (baseline: peers drop the host as soon as it is gone, like a plain SWIM agent), and a crash
 * ({@code kill -9}) followed by a start (baseline: no goodbye at all). Each of these per variant
 * of {@code --timers} ({@link TimerSet}), in the same run.
 */
@Command(name = "restart", description = "Packets lost by a 100/s pod ping while the target host's agent restarts.")
public final class RestartBench implements Callable<Integer> {
  private static final int PINGS = 1500; // 15 s at 100/s: restart at 1 s, READY within a few s, tail after

  enum Variant {
    HITLESS("SIGTERM + start (hitless)", false, c -> c),
    NO_GRACE("SIGTERM + start, restart_grace_ms=1", false, c -> c.with("gossip.restart_grace_ms", 1)),
    CRASH("kill -9 + start", true, c -> c);

    final String label;
    final boolean crash;
    final UnaryOperator<AgentToml> config;

    Variant(String label, boolean crash, UnaryOperator<AgentToml> config) {
      this.label = label;
      this.crash = crash;
      this.config = config;
    }
  }

  @Option(names = "--hosts", defaultValue = "3", description = "Mesh size (default ${DEFAULT-VALUE}).")
  int hosts;

  @Option(names = "--repeats", defaultValue = "2", description = "Restarts per variant (default ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--timers", split = ",", converter = TimerSet.Name.class, defaultValue = TimerSet.DEFAULT_LIST, description = TimerSet.HELP)
  List<String> timers;

  /** One restart: {@code lost} empty when the ping did not run as asked (see {@link #lostOf}); restartMs -1 when READY was not seen. */
  private record Sample(TimerSet timers, Variant variant, OptionalInt lost, int sent, double restartMs) {}

  @Override
  public Integer call() {
    BenchSupport.requireRoot("restart");
    BenchSupport.quietLogs();
    if (hosts < 2 || repeats < 1) {
      System.err.println("vxmesh-lab bench restart: --hosts must be >= 2 and --repeats >= 1");
      return 2;
    }
    List<TimerSet> sets = TimerSet.parseList(timers);
    LoadAverage load0 = LoadAverage.now();
    List<Sample> samples = new ArrayList<>();
    for (TimerSet ts : sets) {
      for (Variant v : Variant.values()) {
        measure(ts, v, samples);
      }
    }
    return print(sets, samples, load0) ? 0 : 1;
  }

  private void measure(TimerSet ts, Variant v, List<Sample> samples) {
    try (Testbed tb = Testbed.create(hosts, true)) {
      BenchSupport.startMesh(tb, tb.hosts(), h -> v.config.apply(ts.apply(tb.agentToml(h))), Duration.ofSeconds(120));
      Host src = tb.host(0);
      Host dst = tb.host(1);
      for (int r = 0; r < repeats; r++) {
        BenchSupport.sleep(1000);
        AgentProcess a = tb.agent(dst);
        int readyBefore = BenchSupport.readyLines(a).size();
        // -c without -w: with a deadline, ping quits at the first ICMP error (net unreachable).
        String target = dst.spec().podIp().getHostAddress();
        CompletableFuture<ExecResult> ping = CompletableFuture.supplyAsync(() -> tb.topology().exec(src.requirePod().ns(),
            Duration.ofSeconds(60), "ping", "-n", "-i", "0.01", "-c", Integer.toString(PINGS), target));
        BenchSupport.sleep(1000);
        long t0 = System.nanoTime();
        if (v.crash) {
          a.kill();
          a.start(); // the same config file: ts and v were written into it
        } else {
          a.restart(Duration.ofSeconds(20));
        }
        OptionalLong ready = BenchSupport.readyMs(a, Duration.ofSeconds(12), readyBefore);
        double restartMs = ready.isPresent() ? BenchSupport.msSince(t0) : -1;
        // The ping must still run when the agent is READY again, or it did not cover the restart.
        boolean coveredRestart = !ping.isDone();
        ExecResult e = ping.join();
        PingResult p = ranToItsEnd(target, e);
        OptionalInt lost = coveredRestart && p != null ? lostOf(p, PINGS) : OptionalInt.empty();
        samples.add(new Sample(ts, v, lost, p == null ? 0 : p.transmitted(), restartMs));
        if (lost.isPresent()) {
          System.out.printf(Locale.ROOT, "  timers=%s %s repeat %d: lost %d of %d pings, agent stop-to-READY %s ms%n",
              ts.label(), v.label, r, lost.getAsInt(), p.transmitted(), BenchSupport.ms(restartMs));
        } else {
          String why = p == null ? "ping did not run to its end"
              : !coveredRestart ? "the ping ended before the agent was READY again"
              : "expected the summary of " + PINGS + " packets transmitted, got " + p.transmitted();
          System.out.printf(Locale.ROOT, "  timers=%s %s repeat %d: NOT MEASURED: %s; ping output:%n%s%n", ts.label(), v.label, r, why,
              (e.stdout() + e.stderr()).strip().indent(4).stripTrailing());
        }
        tb.awaitConverged(tb.hosts(), Duration.ofSeconds(60), line -> { });
      }
    }
  }

  /** The ping's result, or null when it did not run to its end (PingResult throws then: not a sample). */
  static PingResult ranToItsEnd(String target, ExecResult e) {
    try {
      return PingResult.of(target, e);
    } catch (IllegalStateException notRun) {
      return null;
    }
  }

  /**
   * Packets lost by one ping run, or empty when it did not cover the window: one that sent other
   * than {@code expected} packets (ended early, or was asked for another count).
   */
  static OptionalInt lostOf(PingResult p, int expected) {
    if (expected <= 0 || p.transmitted() != expected) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(p.lost());
  }

  /** Prints the table and summary line; true when every hitless restart was measured and lost nothing. */
  private boolean print(List<TimerSet> sets, List<Sample> samples, LoadAverage load0) {
    System.out.println();
    System.out.printf(Locale.ROOT, "vxmesh-lab bench restart: hosts=%d repeats=%d; ping 100/s pod %s -> pod %s during the restart of %s's agent;"
        + " a restart whose ping printed no summary of %d packets, or ended before READY, is not measured (counted, goal missed)%n",
        hosts, repeats, "master1", "node1", "node1", PINGS);
    List<List<String>> rows = new ArrayList<>();
    StringBuilder s = new StringBuilder("bench restart variants=" + TimerSet.labels(sets));
    boolean met = false;
    for (TimerSet ts : sets) {
      for (Variant v : Variant.values()) {
        List<Sample> mine = samples.stream().filter(x -> x.timers() == ts && x.variant() == v).toList();
        List<Sample> measured = mine.stream().filter(x -> x.lost().isPresent()).toList();
        int unmeasured = repeats - measured.size();
        int lost = measured.stream().mapToInt(x -> x.lost().getAsInt()).sum();
        int sent = measured.stream().mapToInt(Sample::sent).sum();
        int worst = measured.stream().mapToInt(x -> x.lost().getAsInt()).max().orElse(-1);
        Samples restart = new Samples();
        mine.forEach(x -> restart.add(x.restartMs()));
        rows.add(List.of(ts.label(), v.label, Integer.toString(mine.size()), Integer.toString(unmeasured),
            measured.isEmpty() ? "n/a" : Integer.toString(lost), Integer.toString(sent), worst < 0 ? "n/a" : Integer.toString(worst), BenchSupport.ms(worst * 10.0),
            BenchSupport.ms(restart.percentile(50)), Integer.toString(restart.unmeasured())));
        String k = ts.keyPrefix() + v.name().toLowerCase(Locale.ROOT);
        s.append(' ').append(k).append("_lost_max=").append(worst < 0 ? "n/a" : Integer.toString(worst))
            .append(' ').append(k).append("_unmeasured=").append(unmeasured);
        if (v == Variant.HITLESS && ts == TimerSet.VXMESH) {
          met = unmeasured == 0 && !measured.isEmpty() && lost == 0;
        }
      }
    }
    BenchSupport.printTable(List.of("timers", "variant", "restarts", "unmeasured", "lost", "sent", "lost_max_per_restart", "outage_ms_max",
        "stop_to_ready_p50_ms", "not_ready"), rows);
    s.append(" goal_lost=0 goal_met=").append(met ? "yes" : "no").append(LoadAverage.report(load0));
    System.out.println(s);
    return met;
  }
}
