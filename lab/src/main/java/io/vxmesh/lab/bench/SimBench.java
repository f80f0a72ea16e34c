package io.vxmesh.lab.bench;

import io.vxmesh.lab.sim.SimScenario;
import io.vxmesh.swim.SwimConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh-lab bench sim}: vxmesh's SWIM + Lifeguard protocol ({@code io.vxmesh.swim}) in
 * the deterministic simulator ({@code io.vxmesh.lab.sim}): N members in one JVM on a virtual
 * clock over a simulated LAN (0.2-2 ms one way, the given datagram loss), through the
 * {@link SimScenario} — join, announcement spread, a crash, a freeze, then a steady window for
 * false failures and bandwidth. All times are virtual; the same seed gives the same run (the
 * trace hash printed proves it). With {@code --baseline}, the same scenario runs again with
 * Atomix-like dissemination (forward once to 2, no push-pull, fixed suspicion) for comparison.
 * Needs no root and creates nothing outside the JVM.
 */
@Command(name = "sim", description = "Simulate N members of vxmesh's SWIM+Lifeguard protocol on a virtual clock (deterministic per seed).")
public final class SimBench implements Callable<Integer> {
  @Option(names = "--members", defaultValue = "1000", description = "Members (default ${DEFAULT-VALUE}).")
  int members;

  @Option(names = "--loss", defaultValue = "0.01", description = "Datagram loss probability (default ${DEFAULT-VALUE}).")
  double loss;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--steady", defaultValue = "PT10M", description = "Steady window, virtual (default ${DEFAULT-VALUE}).")
  Duration steady;

  @Option(names = "--baseline", description = "Also run the Atomix-like baseline (steady window --baseline-steady).")
  boolean baseline;

  @Option(names = "--baseline-steady", defaultValue = "PT1M", description = "Baseline's steady window (default ${DEFAULT-VALUE}).")
  Duration baselineSteady;

  @Option(names = "--join-window", description = "Virtual time members start over (default max(10 s, 50 ms per member)).")
  Duration joinWindow;

  @Option(names = "--views-wait", description = "Longest virtual wait for complete views before the changes (default one push-pull interval).")
  Duration viewsWait;

  @Option(names = "--scenario", defaultValue = "full", description = "full; spread: stop after the announcement changes (no crash, freeze, steady window); prejoined: spread on views complete from the start (every member starts with the whole table, no join ramp; for 10,000 members).")
  String scenario;

  @Option(names = "--changes", defaultValue = "10", description = "Announcement changes measured, 3 s apart (default ${DEFAULT-VALUE}).")
  int changes;

  @Option(names = "--progress", description = "Print progress (virtual time, events, wall time) to stderr.")
  boolean progress;

  /** Issue 11: spread to 100 % within 1.5 s at 1,000 members, 3 s at 10,000. */
  static double spreadGoalMs(int members) {
    return members >= 10_000 ? 3000 : 1500;
  }

  private static final double GOAL_CRASH_MS = 2500;
  private static final double GOAL_BYTES = 5000;

  @Override
  public Integer call() {
    if (members < 8 || loss < 0 || loss >= 1) {
      System.err.println("vxmesh-lab bench sim: --members must be >= 8 and --loss in [0, 1)");
      return 2;
    }
    LoadAverage load = LoadAverage.now();
    if (!scenario.equals("full") && !scenario.equals("spread") && !scenario.equals("prejoined")) {
      System.err.println("vxmesh-lab bench sim: --scenario must be full, spread or prejoined");
      return 2;
    }
    SimScenario.Options options = SimScenario.Options.defaults(members, loss, seed).withSteady(steady.toNanos());
    if (joinWindow != null) {
      options = options.withJoinWindow(joinWindow.toNanos());
    }
    if (viewsWait != null) {
      options = options.withViewsWait(viewsWait.toNanos());
    }
    if (changes != 10) {
      options = options.withChanges(changes);
    }
    if (scenario.equals("spread")) {
      options = options.withSpreadOnly();
    }
    if (scenario.equals("prejoined")) {
      options = options.withPrejoined();
    }
    Run ours = run("vxmesh", options);
    Run base = baseline ? run("atomix-like", options.withConfig(SwimConfig.atomixLike()).withSteady(baselineSteady.toNanos())) : null;

    System.out.printf(Locale.ROOT, "%nbench sim: %d members, datagram loss %s, seed %d; virtual times (ms)%n", members,
        fmt(loss), seed);
    if (options.prejoined()) {
      System.out.println("scenario prejoined: every member started at 0 with the whole table (no join gossiped, join not measured);"
          + " announcement changes only; crash, freeze and steady window skipped (n/a)");
    } else if (options.spreadOnly()) {
      System.out.println("scenario spread: join and announcement changes only; crash, freeze and steady window skipped (n/a)");
    }
    double goalSpread = spreadGoalMs(members);
    if (options.prejoined()) {
      System.out.printf(Locale.ROOT, "no join window (prejoined), views waited for up to %.0f s, %d changes%n",
          options.viewsWaitNanos() / 1e9, options.changes());
    } else {
      System.out.printf(Locale.ROOT, "join window %.0f s (virtual), views waited for up to %.0f s, %d changes%n",
          options.joinWindowNanos() / 1e9, options.viewsWaitNanos() / 1e9, options.changes());
    }
    System.out.printf(Locale.ROOT, "%-40s %-34s %-34s %-12s %s%n", "metric (p50 / p99 / max, n/a)", "vxmesh",
        base == null ? "" : "atomix-like baseline", "goal", "met");
    row("join: known by all earlier members", ours.join, base == null ? null : base.join, "", "");
    row("spread: change held by 99 %", ours.spread99, base == null ? null : base.spread99, "", "");
    row("spread: change held by 100 %", ours.spread100, base == null ? null : base.spread100,
        String.format(Locale.ROOT, "<= %.0f (all)", goalSpread), ours.spread100.verdict(goalSpread));
    row("crash: declared failed by each member", ours.crash, base == null ? null : base.crash,
        "<= 2500 (all)", options.spreadOnly() ? "skipped" : ours.crash.verdict(GOAL_CRASH_MS));
    row("freeze: declared failed by each member", ours.freeze, base == null ? null : base.freeze, "", "");
    line("thaw: listed alive again by all", ms(ours.r.thawRejoinMs()), base == null ? "" : ms(base.r.thawRejoinMs()), "", "");
    line("false failures (whole run)", Long.toString(ours.r.falseFailures()),
        base == null ? "" : Long.toString(base.r.falseFailures()), "0", ours.r.falseFailures() == 0 ? "yes" : "no");
    line("false suspicions (refuted)", Long.toString(ours.r.falseSuspicions()),
        base == null ? "" : Long.toString(base.r.falseSuspicions()), "", "");
    line("bytes sent per member per s, mean/max", bytes(ours.r), base == null ? "" : bytes(base.r), "<= 5000 mean",
        options.spreadOnly() ? "skipped" : ours.r.bytesPerMemberS() <= GOAL_BYTES ? "yes" : "no");
    line("views agree after join / at end", agree(ours.r), base == null ? "" : agree(base.r), "", "");
    line("views complete, s after the last start", secs(ours.r.viewsCompleteS()), base == null ? "" : secs(base.r.viewsCompleteS()), "", "");
    line("steady window (virtual s)", options.spreadOnly() ? "skipped" : Long.toString(steady.toSeconds()), base == null ? "" : Long.toString(baselineSteady.toSeconds()), "", "");
    line("datagrams sent / lost", ours.r.datagrams() + " / " + ours.r.datagramsLost(),
        base == null ? "" : base.r.datagrams() + " / " + base.r.datagramsLost(), "", "");
    line("events run, wall s", ours.r.events() + ", " + fmt(ours.wallSeconds),
        base == null ? "" : base.r.events() + ", " + fmt(base.wallSeconds), "", "");
    line("trace hash", Long.toHexString(ours.r.traceHash()), base == null ? "" : Long.toHexString(base.r.traceHash()), "", "");
    ours.r.atEnd().ifPresent(d -> System.out.println("views disagree at end: " + d));
    LoadAverage.report(load);
    System.out.printf(Locale.ROOT,
        "bench sim members=%d loss=%s join_p99_ms=%s spread_p99_ms=%s crash_detect_p99_ms=%s freeze_detect_p99_ms=%s false_failures=%d bytes_per_member_s=%s%n",
        members, fmt(loss), ms(ours.join.percentile(99)), ms(ours.spread100.percentile(99)), ms(ours.crash.percentile(99)),
        ms(ours.freeze.percentile(99)), ours.r.falseFailures(), ms(ours.r.bytesPerMemberS()));
    return 0;
  }

  private record Run(SimScenario.Result r, Samples join, Samples spread99, Samples spread100, Samples crash, Samples freeze,
      double wallSeconds) {}

  private Run run(String label, SimScenario.Options options) {
    System.out.printf(Locale.ROOT, "running %s: %d members, loss %s, steady %d s (virtual) ...%n", label,
        options.members(), fmt(options.loss()), options.steadyNanos() / 1_000_000_000L);
    long t0 = System.nanoTime();
    SimScenario.Result r = new SimScenario(options).progress(progress ? line -> System.err.printf(Locale.ROOT,
        "  %s: %s, %.0f s wall%n", label, line, (System.nanoTime() - t0) / 1e9) : line -> { }).run();
    double wall = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "  %s done: %.1f s wall for %.0f s virtual, %d events%n", label, wall, r.virtualSeconds(),
        r.events());
    return new Run(r, samples(r.joinMs()), samples(r.spread99Ms()), samples(r.spread100Ms()), samples(r.crashDetectMs()),
        samples(r.freezeDetectMs()), wall);
  }

  private static Samples samples(List<Double> values) {
    Samples s = new Samples();
    values.forEach(s::add);
    return s;
  }

  private static void row(String metric, Samples ours, Samples base, String goal, String met) {
    line(metric, cell(ours), base == null ? "" : cell(base), goal, met);
  }

  private static void line(String metric, String ours, String base, String goal, String met) {
    System.out.printf(Locale.ROOT, "%-40s %-34s %-34s %-12s %s%n", metric, ours, base, goal, met);
  }

  private static String cell(Samples s) {
    return ms(s.percentile(50)) + " / " + ms(s.percentile(99)) + " / " + ms(s.percentile(100)) + ", " + s.unmeasured();
  }

  private static String bytes(SimScenario.Result r) {
    return ms(r.bytesPerMemberS()) + " / " + ms(r.maxBytesPerMemberS());
  }

  private static String agree(SimScenario.Result r) {
    return (r.afterJoin().isEmpty() ? "yes" : "no") + " / " + (r.atEnd().isEmpty() ? "yes" : "no");
  }

  private static String secs(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
  }

  private static String fmt(double v) {
    String s = String.format(Locale.ROOT, "%.4f", v);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }
}
