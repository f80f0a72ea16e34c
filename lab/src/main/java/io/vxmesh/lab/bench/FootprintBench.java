package io.vxmesh.lab.bench;

import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.Exec;
import io.vxmesh.lab.testbed.ExecResult;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Testbed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh-lab bench footprint}: a mesh of N hosts (default 10); the last two agents are the
 * measured ones, one with the shipped launcher's flags (read from {@code packaging/vxmesh}'s
 * agent branch by {@link LauncherFlags}),
 * one with the JVM's default flags (baseline); the others run with the testbed's small flags.
 * Reports for each: start to READY (the agent's own startup_ms, over several restarts), RSS
 * (VmRSS, end of the idle window and its maximum), CPU% of one core over the idle window
 * (utime+stime from /proc/PID/stat), thread count; and the wall time of {@code vxmesh members}
 * with the launcher's client flags vs JVM defaults. One mesh per variant of {@code --timers}
 * ({@link TimerSet}), one after the other in the same run: every agent of that mesh runs it.
 */
@Command(name = "footprint", description = "RSS, idle CPU, start-to-READY of an agent and wall time of `vxmesh members`.")
public final class FootprintBench implements Callable<Integer> {
  /** Clock ticks per second of /proc's utime/stime ({@code getconf CLK_TCK}), read at start. */
  private long clkTck;

  @Option(names = "--launcher", description = "The launcher script whose agent)/*) branches give the JVM flags (default: packaging/vxmesh of this checkout, else /usr/bin/vxmesh).")
  Path launcher;

  @Option(names = "--hosts", defaultValue = "10", description = "Mesh size (default ${DEFAULT-VALUE}).")
  int hosts;

  @Option(names = "--idle", defaultValue = "PT60S", description = "Idle window (default ${DEFAULT-VALUE}).")
  Duration idle;

  @Option(names = "--restarts", defaultValue = "3", description = "Restarts timed for READY (default ${DEFAULT-VALUE}).")
  int restarts;

  @Option(names = "--agent-flags", split = " ",
      description = "JVM flags of the measured agent instead of the launcher's (space-separated, quoted), to try tunings.")
  List<String> agentFlags;

  @Option(names = "--nmt", description = "Run the measured agent with -XX:NativeMemoryTracking=summary and print jcmd's summary after the idle window.")
  boolean nmt;

  private record Measured(String label, List<String> flags, AgentProcess agent) {}

  @Option(names = "--timers", split = ",", converter = TimerSet.Name.class, defaultValue = TimerSet.DEFAULT_LIST,
      description = "One mesh per variant, every agent of it running that variant, to see what idle CPU each costs. " + TimerSet.HELP)
  List<String> timers;

  private record Result(String label, double rssMb, double rssMaxMb, double anonMb, double fileMb, double cpuPct, int threads,
      Samples ready) {}

  /** One variant's mesh: results.get(0) the measured agent (launcher or --agent-flags), results.get(1) JVM defaults. */
  private record VariantRun(TimerSet timers, List<Result> results, double[] membersProd, double[] membersDefault) {}

  @Override
  public Integer call() {
    BenchSupport.requireRoot("footprint");
    BenchSupport.quietLogs();
    if (hosts < 3) {
      System.err.println("vxmesh-lab bench footprint: --hosts must be >= 3");
      return 2;
    }
    LoadAverage load0 = LoadAverage.now();
    clkTck = clockTicks();
    LauncherFlags shipped = LauncherFlags.read(launcher == null ? LauncherFlags.locate() : launcher);
    System.out.printf(Locale.ROOT, "footprint: launcher %s: agent flags %s; client flags %s; CLK_TCK %d%n", shipped.file(),
        String.join(" ", shipped.agent()), String.join(" ", shipped.client()), clkTck);
    List<String> prod = new ArrayList<>(agentFlags == null || agentFlags.isEmpty() ? shipped.agent() : agentFlags);
    if (nmt) {
      prod.add("-XX:NativeMemoryTracking=summary");
    }
    List<TimerSet> variants = TimerSet.parseList(timers);
    List<VariantRun> runs = new ArrayList<>();
    for (TimerSet ts : variants) {
      runs.add(run(ts, shipped, prod));
    }
    return print(runs, prod, load0);
  }

  private VariantRun run(TimerSet ts, LauncherFlags shipped, List<String> prod) {
    List<Result> results = new ArrayList<>();
    double[] membersProd;
    double[] membersDefault;
    try (Testbed tb = Testbed.create(hosts, false)) {
      List<Host> all = tb.hosts();
      BenchSupport.startMesh(tb, all.subList(0, hosts - 2), h -> ts.apply(tb.agentToml(h)), Duration.ofSeconds(180));
      System.out.printf(Locale.ROOT, "footprint timers=%s: %d background agents up (prefix %s)%n", ts.label(), hosts - 2, tb.prefix());
      List<Measured> measured = List.of(
          new Measured(agentFlags == null ? "launcher flags" : "--agent-flags", prod, start(tb, ts, all.get(hosts - 2), prod)),
          new Measured("JVM default flags", List.of(), start(tb, ts, all.get(hosts - 1), List.of())));
      tb.awaitConverged(all, Duration.ofSeconds(60), line -> { });
      BenchSupport.sleep(5000); // start-up work (JIT, first passes) is not idle
      long[] cpu0 = new long[measured.size()];
      Map<String, Long> threads0 = threadTicks(measured.get(0).agent().pid());
      for (int i = 0; i < measured.size(); i++) {
        cpu0[i] = cpuTicks(measured.get(i).agent().pid());
      }
      double[] rssMax = new double[measured.size()];
      long t0 = System.nanoTime();
      while (System.nanoTime() - t0 < idle.toNanos()) {
        for (int i = 0; i < measured.size(); i++) {
          rssMax[i] = Math.max(rssMax[i], statusKb(measured.get(i).agent().pid(), "VmRSS") / 1024.0);
        }
        BenchSupport.sleep(1000);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      printBusiestThreads(threads0, threadTicks(measured.get(0).agent().pid()), secs);
      if (nmt) {
        ExecResult r = Exec.run(Duration.ofSeconds(30), List.of("jcmd", Long.toString(measured.get(0).agent().pid()),
            "VM.native_memory", "summary"));
        System.out.println("NMT summary of the measured agent (committed):");
        r.stdout().lines().filter(l -> l.contains("committed=") && (l.startsWith("-") || l.startsWith("Total")))
            .forEach(l -> System.out.println("  " + l.strip()));
        if (!r.ok()) {
          System.out.println("  (" + r.describeFailure() + ")");
        }
      }
      for (int i = 0; i < measured.size(); i++) {
        Measured m = measured.get(i);
        long pid = m.agent().pid();
        double cpu = (cpuTicks(pid) - cpu0[i]) / (double) clkTck / secs * 100;
        double rss = statusKb(pid, "VmRSS") / 1024.0;
        int threads = (int) statusKb(pid, "Threads");
        Samples ready = new Samples();
        OptionalLong first = BenchSupport.readyMs(m.agent(), Duration.ZERO, 0);
        ready.add(first.isPresent() ? first.getAsLong() : -1);
        results.add(new Result(m.label(), rss, Math.max(rss, rssMax[i]), statusKb(pid, "RssAnon") / 1024.0,
            statusKb(pid, "RssFile") / 1024.0, cpu, threads, ready));
      }
      for (int r = 0; r < restarts; r++) {
        for (int i = 0; i < measured.size(); i++) {
          AgentProcess a = measured.get(i).agent();
          int before = BenchSupport.readyLines(a).size();
          a.restart(Duration.ofSeconds(20));
          OptionalLong ms = BenchSupport.readyMs(a, Duration.ofSeconds(30), before);
          results.get(i).ready().add(ms.isPresent() ? ms.getAsLong() : -1); // no READY within 30 s: counted in not_ready
          BenchSupport.sleep(1000);
        }
      }
      AgentProcess any = measured.get(0).agent();
      membersProd = members(tb, any, shipped.client());
      membersDefault = members(tb, any, List.of());
    }
    return new VariantRun(ts, results, membersProd, membersDefault);
  }

  private static AgentProcess start(Testbed tb, TimerSet ts, Host h, List<String> flags) {
    Path file = ts.apply(tb.agentToml(h)).write(tb.dir().resolve(h.name() + ".toml"));
    return tb.agents().start(h, file, tb.agents().socket(h), flags);
  }

  /** Wall times (ms) of 5 runs of {@code vxmesh members} inside the host, with {@code flags}. */
  private static double[] members(Testbed tb, AgentProcess a, List<String> flags) {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", a.host().ns(), AgentProcess.javaBinary()));
      cmd.addAll(flags);
      cmd.addAll(List.of("-jar", AgentProcess.locateJar().toString(), "members", "--socket", a.socket().toString()));
      long t0 = System.nanoTime();
      ExecResult r = Exec.run(Duration.ofSeconds(30), cmd).orThrow();
      ms.add(BenchSupport.msSince(t0));
      if (!r.stdout().contains("master1")) {
        throw new IllegalStateException("vxmesh members printed no master1: " + r.stdout());
      }
    }
    return new double[] {BenchSupport.percentile(ms, 50), BenchSupport.percentile(ms, 100)};
  }

  /** {@code getconf CLK_TCK}: the unit of /proc/PID/stat's utime and stime. */
  static long clockTicks() {
    ExecResult r = Exec.run(Duration.ofSeconds(10), List.of("getconf", "CLK_TCK")).orThrow();
    return parseClockTicks(r.stdout());
  }

  static long parseClockTicks(String getconfOutput) {
    try {
      long t = Long.parseLong(getconfOutput.strip());
      if (t > 0) {
        return t;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalStateException("getconf CLK_TCK printed '" + getconfOutput.strip() + "', not a positive number of ticks per second");
  }

  /** utime + stime of the process, in clock ticks. */
  static long cpuTicks(long pid) {
    return ticks(Path.of("/proc/" + pid + "/stat"));
  }

  private static long ticks(Path stat) {
    try {
      String s = Files.readString(stat);
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + stat + ": " + e.getMessage(), e);
    }
  }

  /** CPU ticks per thread name ("comm", which the JVM sets to the Java thread name, truncated to 15 chars). */
  static Map<String, Long> threadTicks(long pid) {
    Map<String, Long> out = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks.toList()) {
        try {
          String name = Files.readString(t.resolve("comm")).strip() + "#" + t.getFileName();
          out.put(name, ticks(t.resolve("stat")));
        } catch (IOException | IllegalStateException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc/" + pid + "/task: " + e.getMessage(), e);
    }
    return out;
  }

  /** The threads that used the most CPU between two samples, as % of one core. */
  private void printBusiestThreads(Map<String, Long> before, Map<String, Long> after, double secs) {
    System.out.println("busiest threads of the measured agent over the idle window (% of one core):");
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(8)
        .forEach(e -> System.out.printf(Locale.ROOT, "  %-28s %.2f%n", e.getKey(), e.getValue() / (double) clkTck / secs * 100));
  }

  /** A numeric field of /proc/PID/status ("VmRSS" in kB, "Threads"). */
  static long statusKb(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).strip().split("\\s+")[0]);
        }
      }
      throw new IllegalStateException("/proc/" + pid + "/status has no " + field);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/status: " + e.getMessage(), e);
    }
  }

  private int print(List<VariantRun> runs, List<String> prod, LoadAverage load0) {
    System.out.println();
    List<TimerSet> variants = runs.stream().map(VariantRun::timers).toList();
    System.out.printf(Locale.ROOT, "vxmesh-lab bench footprint: %d-host mesh per variant, idle window %ds; measured agent flags: %s;"
        + " READY over the first start and %d restarts, a start without READY within 30 s counted in not_ready (goal missed);"
        + " *_vs_default = this / the same variant's JVM-default-flags agent; {baseline}/this_cpu = the baseline's measured agent"
        + " over this one; goals are vxmesh's%n", hosts, idle.toSeconds(), String.join(" ", prod), restarts);
    List<List<String>> rows = new ArrayList<>();
    for (VariantRun v : runs) {
      Result base = v.results().get(1);
      for (int i = 0; i < v.results().size(); i++) {
        Result r = v.results().get(i);
        List<String> row = new ArrayList<>(List.of(v.timers().label(), r.label(), String.format(Locale.ROOT, "%.1f", r.rssMb()),
            String.format(Locale.ROOT, "%.1f", r.rssMaxMb()), String.format(Locale.ROOT, "%.1f", r.anonMb()),
            String.format(Locale.ROOT, "%.1f", r.fileMb()), String.format(Locale.ROOT, "%.2f", r.cpuPct()), Integer.toString(r.threads()),
            BenchSupport.ms(r.ready().percentile(50)), BenchSupport.ms(r.ready().percentile(100)), Integer.toString(r.ready().unmeasured()),
            BenchSupport.ratio(r.rssMb(), base.rssMb()), BenchSupport.ratio(r.cpuPct(), base.cpuPct())));
        int which = i;
        row.addAll(Ratios.cells(v.timers(), variants, b -> runOf(runs, b).results().get(which).cpuPct()));
        rows.add(row);
      }
    }
    List<String> header = new ArrayList<>(List.of("timers", "agent", "rss_mb", "rss_max_mb", "rss_anon_mb", "rss_file_mb", "cpu_pct_core",
        "threads", "ready_p50_ms", "ready_max_ms", "not_ready", "rss_vs_default", "cpu_vs_default"));
    header.addAll(Ratios.headers(variants, "cpu"));
    BenchSupport.printTable(header, rows);
    for (VariantRun v : runs) {
      System.out.printf(Locale.ROOT, "vxmesh members wall, timers %s: launcher client flags p50 %.0f ms (max %.0f); JVM defaults p50 %.0f ms"
          + " (max %.0f); ratio %s%n", v.timers().label(), v.membersProd()[0], v.membersProd()[1], v.membersDefault()[0],
          v.membersDefault()[1], BenchSupport.ratio(v.membersProd()[0], v.membersDefault()[0]));
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "bench footprint hosts=%d variants=%s", hosts, TimerSet.labels(variants)));
    String goals = "n/a";
    for (VariantRun v : runs) {
      Result p = v.results().get(0);
      Result base = v.results().get(1);
      // READY's goal is on the median of the starts, but only when every start reached READY.
      boolean ok = p.rssMaxMb() <= 96 && p.cpuPct() <= 1 && p.ready().within(50, 2000) && v.membersProd()[0] <= 300;
      if (v.timers() == TimerSet.VXMESH) {
        goals = ok ? "yes" : "no";
      }
      s.append(String.format(Locale.ROOT, " %1$srss_mb=%2$.1f %1$srss_max_mb=%3$.1f %1$scpu_pct=%4$.2f %1$sthreads=%5$d %1$sready_ms=%6$s"
              + " %1$snot_ready=%7$d %1$smembers_ms=%8$.0f %1$sdefault_flags_rss_mb=%9$.1f %1$sdefault_flags_cpu_pct=%10$.2f"
              + " %1$sdefault_flags_members_ms=%11$.0f",
          v.timers().keyPrefix(), p.rssMb(), p.rssMaxMb(), p.cpuPct(), p.threads(), BenchSupport.ms(p.ready().percentile(50)),
          p.ready().unmeasured(), v.membersProd()[0], base.rssMb(), base.cpuPct(), v.membersDefault()[0]));
    }
    if (goals.equals("n/a")) {
      System.out.println("goals not evaluated: vxmesh not in --timers");
    }
    s.append(" goals=rss<=96,cpu<=1,ready<=2000,members<=300 goals_met=").append(goals);
    System.out.println(s + LoadAverage.report(load0));
    return goals.equals("yes") ? 0 : 1;
  }

  private static VariantRun runOf(List<VariantRun> runs, TimerSet t) {
    return runs.stream().filter(r -> r.timers() == t).findFirst().orElseThrow();
  }
}
