package io.vxmesh.lab.bench;

import io.vxmesh.lab.testbed.AgentToml;
import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Poll;
import io.vxmesh.lab.testbed.Testbed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared pieces of the kernel benchmarks: statistics, output, starting a mesh, agent logs. */
final class BenchSupport {
  private static final Pattern STARTUP_MS = Pattern.compile("agent ready .*startup_ms=(\\d+)");

  private BenchSupport() {}

  /** Nearest-rank percentile (p in 0..100) of {@code values}; NaN when empty. With 5 samples p99 is the maximum. */
  static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(values);
    Collections.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  /** Milliseconds since {@code t0} (System.nanoTime). */
  static double msSince(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  /** "123" or "n/a" for NaN/negative (a timeout). */
  static String ms(double v) {
    return Double.isNaN(v) || v < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
  }

  static String f2(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
  }

  /** "3.52x" for numerator / denominator, or "n/a" when either was not measured (NaN) or the denominator is 0. */
  static String ratio(double numerator, double denominator) {
    return Double.isNaN(numerator) || Double.isNaN(denominator) || denominator == 0 ? "n/a" : f2(numerator / denominator) + "x";
  }

  /** The table is the output: per-event INFO lines of the in-process parts would interleave with it. */
  static void quietLogs() {
    if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  /** Fails unless we are root: every scenario builds network namespaces. */
  static void requireRoot(String scenario) {
    if (!Testbed.isRoot()) {
      throw new IllegalStateException("vxmesh-lab bench " + scenario + " needs root (it creates network namespaces)");
    }
  }

  /**
   * Starts an agent on every host of {@code hosts} (host 0, the seed, first) with the config
   * {@code config} gives, and waits until every host has routes to every other pod. Throws with
   * the diagnostics when an agent exits or the mesh does not converge within {@code timeout}.
   */
  static Duration startMesh(Testbed tb, List<Host> hosts, Function<Host, AgentToml> config, Duration timeout) {
    long t0 = System.nanoTime();
    List<AgentProcess> agents = new ArrayList<>();
    for (Host h : hosts) {
      agents.add(tb.startAgent(h, config.apply(h)));
    }
    boolean ok = Poll.until(timeout, Duration.ofMillis(100), () -> {
      for (AgentProcess a : agents) {
        if (!a.isAlive()) {
          throw new IllegalStateException("agent " + a.host().name() + " exited during start-up; log:\n" + a.log());
        }
      }
      return tb.convergence().converged(hosts);
    });
    if (!ok) {
      throw new IllegalStateException("mesh of " + hosts.size() + " did not converge within " + timeout.toMillis()
          + " ms: " + tb.convergence().missingRoutes(hosts) + "\n" + tb.diagnostics());
    }
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  /** The startup_ms of the last "agent ready" line in the agent's log, once it appears within {@code timeout}. */
  static OptionalLong readyMs(AgentProcess a, Duration timeout, int readyLinesBefore) {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      List<Long> all = readyLines(a);
      if (all.size() > readyLinesBefore) {
        return OptionalLong.of(all.get(all.size() - 1));
      }
      sleep(20);
    } while (System.nanoTime() < deadline);
    return OptionalLong.empty();
  }

  /** Every startup_ms of the agent's log, oldest first (one per start that reached READY). */
  static List<Long> readyLines(AgentProcess a) {
    List<Long> out = new ArrayList<>();
    Matcher m = STARTUP_MS.matcher(a.log());
    while (m.find()) {
      out.add(Long.parseLong(m.group(1)));
    }
    return out;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Waits until the whole box is quiet: two {@code window}s in a row with at most
   * {@code busyMax} (0..1) of all CPUs busy (from /proc/stat), or {@code max} passed. A mesh of
   * 20 JVMs that has just started keeps compiling for seconds; a join timed then measures the
   * box's start-up backlog, not the protocol.
   */
  static Settled settle(double busyMax, Duration window, Duration max) {
    long t0 = System.nanoTime();
    long deadline = t0 + max.toNanos();
    int quiet = 0;
    long[] prev = cpuStat();
    double busy = Double.NaN;
    while (quiet < 2 && System.nanoTime() < deadline) {
      sleep(window.toMillis());
      long[] now = cpuStat();
      long total = now[0] - prev[0];
      busy = total <= 0 ? 0 : (total - (now[1] - prev[1])) / (double) total;
      quiet = busy <= busyMax ? quiet + 1 : 0;
      prev = now;
    }
    return new Settled(msSince(t0), busy);
  }

  /** What {@link #settle} waited (ms) and the busy fraction (0..1) of its last window. */
  record Settled(double waitedMs, double lastBusy) {}

  /** {total, idle + iowait} jiffies of all CPUs, from /proc/stat's first line. */
  private static long[] cpuStat() {
    try {
      String first = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
        total += Long.parseLong(f[i]);
      }
      return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read /proc/stat: " + e.getMessage(), e);
    }
  }

  /** Prints rows as left-aligned columns sized to their widest cell. */
  static void printTable(List<String> header, List<List<String>> rows) {
    int[] w = new int[header.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = header.get(i).length();
      for (List<String> r : rows) {
        w[i] = Math.max(w[i], r.get(i).length());
      }
    }
    StringBuilder b = new StringBuilder();
    line(b, header, w);
    for (List<String> r : rows) {
      line(b, r, w);
    }
    System.out.print(b);
    System.out.flush();
  }

  private static void line(StringBuilder b, List<String> cells, int[] w) {
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      l.append(String.format(Locale.ROOT, "%-" + w[i] + "s  ", cells.get(i)));
    }
    b.append(l.toString().stripTrailing()).append('\n');
  }
}
