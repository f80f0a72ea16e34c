package io.vxmesh.lab.bench;

import io.vxmesh.lab.testbed.AgentProcess;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.Testbed;
import io.vxmesh.lab.testbed.Tools;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vxmesh-lab bench lifeguard}: a mesh of real agents in namespaces runs for a while
 * with a CPU hog on the box (default {@code stress-ng --cpu 2}, as many busy workers as this box
 * has cores), and every agent's log is read for the status changes it made meanwhile: a
 * {@code member status node=X status=failed} about a member whose agent was running the whole
 * time (none is stopped) is a false failure, a {@code status=suspect} line a suspect episode.
 * A busy host's own slowness must not look like its peers' death: that is what Lifeguard's local
 * health multiplier and confirmation-shrunk suspicion are for (issue 11). One mesh per variant
 * of {@code --timers}, one after the other, each under its own run of the hog. Exit 0 when the
 * vxmesh mesh (if run) converged and had no false failure.
 */
@Command(name = "lifeguard", description = "False failures and suspicions in a mesh of real agents while a CPU hog runs on the box.")
public final class LifeguardBench implements Callable<Integer> {
  /** sysexits EX_UNAVAILABLE: the hog is not installed. */
  static final int EX_UNAVAILABLE = 69;
  private static final Pattern STATUS =
      Pattern.compile("member status node=(\\S+) status=(\\S+) reason=(.*?) self=(true|false)");

  @Option(names = "--hosts", defaultValue = "10", description = "Mesh size (default ${DEFAULT-VALUE}).")
  int hosts;

  @Option(names = "--minutes", defaultValue = "10", description = "Minutes each variant's mesh runs under the hog (default ${DEFAULT-VALUE}).")
  int minutes;

  @Option(names = "--timers", split = ",", converter = TimerSet.Name.class, defaultValue = TimerSet.DEFAULT_LIST, description = TimerSet.HELP)
  List<String> timers;

  @Option(names = "--hog", defaultValue = "stress-ng --cpu 2",
      description = "The CPU hog, a command split at spaces, started in the root namespace and killed by PID (default '${DEFAULT-VALUE}').")
  String hog;

  /** What one variant's window saw; converged false when its mesh never came up (then nothing was counted). */
  record Result(TimerSet timers, boolean converged, int falseFailures, int suspectEpisodes, int agentsDied, Set<String> failedPairs,
      double load1Max, LoadAverage start, LoadAverage end) {}

  @Override
  public Integer call() {
    BenchSupport.requireRoot("lifeguard");
    BenchSupport.quietLogs();
    if (hosts < 3 || minutes < 1) {
      System.err.println("vxmesh-lab bench lifeguard: --hosts must be >= 3 and --minutes >= 1");
      return 2;
    }
    List<String> hogCmd = hogCommand(hog);
    if (hogCmd.isEmpty()) {
      System.err.println("vxmesh-lab bench lifeguard: --hog is empty");
      return 2;
    }
    try {
      Tools.onPath().require(List.of(hogTool(hogCmd.get(0))));
    } catch (Tools.MissingToolsException e) {
      System.err.println("vxmesh-lab bench lifeguard: the CPU hog is not installed: " + e.getMessage());
      return EX_UNAVAILABLE;
    }
    List<TimerSet> variants = TimerSet.parseList(timers);
    LoadAverage load0 = LoadAverage.now();
    List<Result> results = new ArrayList<>();
    for (TimerSet ts : variants) {
      results.add(measure(ts, hogCmd));
    }
    return print(results, load0) ? 0 : 1;
  }

  /** The hog's words ({@code --hog} split at whitespace). */
  static List<String> hogCommand(String hog) {
    return hog == null || hog.isBlank() ? List.of() : List.of(hog.strip().split("\\s+"));
  }

  /** The tool the hog runs: stress-ng with its Debian package, another command under its own name. */
  static Tools.Tool hogTool(String command) {
    return command.equals(Tools.STRESS_NG.command()) ? Tools.STRESS_NG : new Tools.Tool(command, command);
  }

  private Result measure(TimerSet ts, List<String> hogCmd) {
    try (Testbed tb = Testbed.create(hosts, false)) {
      List<Host> all = tb.hosts();
      try {
        BenchSupport.startMesh(tb, all, h -> ts.apply(tb.agentToml(h)), Duration.ofSeconds(180));
      } catch (IllegalStateException e) {
        System.out.printf(Locale.ROOT, "lifeguard timers=%s: mesh of %d did not come up: %s%n", ts.label(), hosts,
            JoinBench.firstLine(e.getMessage()));
        return new Result(ts, false, 0, 0, 0, Set.of(), Double.NaN, LoadAverage.now(), LoadAverage.now());
      }
      BenchSupport.sleep(2000); // start-up CPU settles before the window
      Map<AgentProcess, Integer> logFrom = new LinkedHashMap<>();
      for (Host h : all) {
        logFrom.put(tb.agent(h), tb.agent(h).log().length());
      }
      LoadAverage start = LoadAverage.now();
      System.out.printf(Locale.ROOT, "lifeguard timers=%s: mesh of %d up (prefix %s); hog '%s' for %d min%n", ts.label(), hosts,
          tb.prefix(), String.join(" ", hogCmd), minutes);
      double load1Max = start.one();
      Set<String> died = new LinkedHashSet<>();
      Process hogProcess = startHog(hogCmd);
      try {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
          BenchSupport.sleep(1000);
          load1Max = Math.max(load1Max, LoadAverage.now().one());
          for (AgentProcess a : logFrom.keySet()) {
            if (!a.isAlive() && died.add(a.host().name())) {
              System.out.printf(Locale.ROOT, "  timers=%s: agent %s exited (not a false failure when its peers see it failed)%n",
                  ts.label(), a.host().name());
            }
          }
          if (!hogProcess.isAlive()) {
            throw new IllegalStateException("the hog '" + String.join(" ", hogCmd) + "' exited with " + hogProcess.exitValue());
          }
          if (System.nanoTime() > nextProgress) {
            nextProgress += TimeUnit.SECONDS.toNanos(60);
            System.out.printf(Locale.ROOT, "  timers=%s: %s so far%n", ts.label(), count(logFrom, died));
          }
        }
      } finally {
        stopHog(hogProcess);
      }
      LoadAverage endLoad = LoadAverage.now();
      Counts c = count(logFrom, died);
      c.failedPairs().forEach(p -> System.out.printf(Locale.ROOT, "  timers=%s: false failure: %s%n", ts.label(), p));
      return new Result(ts, true, c.falseFailures(), c.suspectEpisodes(), died.size(), c.failedPairs(), load1Max, start, endLoad);
    }
  }

  /** The counts of the agents' log lines since {@code logFrom}. */
  record Counts(int falseFailures, int suspectEpisodes, Set<String> failedPairs) {
    @Override
    public String toString() {
      return "false_failures=" + falseFailures + " suspect_episodes=" + suspectEpisodes;
    }
  }

  private static Counts count(Map<AgentProcess, Integer> logFrom, Set<String> died) {
    int failures = 0;
    int suspects = 0;
    Set<String> pairs = new LinkedHashSet<>();
    for (Map.Entry<AgentProcess, Integer> e : logFrom.entrySet()) {
      String log = e.getKey().log();
      Counts c = countLog(e.getKey().host().name(), log.substring(Math.min(e.getValue(), log.length())), died);
      failures += c.falseFailures();
      suspects += c.suspectEpisodes();
      pairs.addAll(c.failedPairs());
    }
    return new Counts(failures, suspects, pairs);
  }

  /**
   * Counts one agent's status lines ({@code observer} is its host): every "status=failed" about
   * another member whose agent is not in {@code died} is a false failure, every "status=suspect"
   * about another member a suspect episode (each such line starts one). Lines about itself are
   * not counted.
   */
  static Counts countLog(String observer, String log, Set<String> died) {
    int failures = 0;
    int suspects = 0;
    Set<String> pairs = new LinkedHashSet<>();
    Matcher m = STATUS.matcher(log);
    while (m.find()) {
      String node = m.group(1);
      if (m.group(4).equals("true") || node.equals(observer)) {
        continue;
      }
      switch (m.group(2)) {
        case "failed" -> {
          if (!died.contains(node)) {
            failures++;
            pairs.add(observer + " saw " + node + " failed (" + m.group(3).strip() + ")");
          }
        }
        case "suspect" -> suspects++;
        default -> { }
      }
    }
    return new Counts(failures, suspects, pairs);
  }

  private static Process startHog(List<String> cmd) {
    try {
      return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the hog " + cmd + ": " + e.getMessage(), e);
    }
  }

  /**
   * Stops the hog and its workers by PID: SIGTERM to the hog (stress-ng then stops its workers),
   * then SIGKILL to whatever of it is left after 5 s, workers first (they were listed before
   * the hog went, so none is missed as an orphan).
   */
  static void stopHog(Process p) {
    List<ProcessHandle> workers = p.descendants().toList();
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        System.out.println("  hog did not stop within 5 s of SIGTERM: SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  /** Prints the table and one summary line per variant; true when the vxmesh mesh (if run) converged and had no false failure. */
  private boolean print(List<Result> results, LoadAverage load0) {
    System.out.println();
    List<TimerSet> variants = results.stream().map(Result::timers).toList();
    System.out.printf(Locale.ROOT, "vxmesh-lab bench lifeguard: %d hosts, %d min per variant under the hog '%s' (%d cores); false failure ="
        + " an agent's log line 'member status node=X status=failed' about a member whose agent kept running; suspect episode = a"
        + " 'status=suspect' line; a mesh that never came up is n/a; goal: 0 false failures (vxmesh)%n",
        hosts, minutes, hog, Runtime.getRuntime().availableProcessors());
    List<List<String>> rows = new ArrayList<>();
    boolean ok = true;
    for (Result r : results) {
      List<String> row = new ArrayList<>(List.of(r.timers().label(), Integer.toString(hosts), Integer.toString(minutes),
          r.converged() ? Integer.toString(r.falseFailures()) : "n/a", r.converged() ? Integer.toString(r.suspectEpisodes()) : "n/a",
          Integer.toString(r.agentsDied()), BenchSupport.f2(r.start().one()), BenchSupport.f2(r.load1Max()), BenchSupport.f2(r.end().one())));
      row.addAll(Ratios.cells(r.timers(), variants, b -> suspects(results, b)));
      String met = "-";
      if (r.timers() == TimerSet.VXMESH) {
        boolean m = r.converged() && r.falseFailures() == 0;
        met = m ? "yes" : "no";
        ok = m;
      }
      row.add(met);
      rows.add(row);
    }
    List<String> header = new ArrayList<>(List.of("timers", "hosts", "minutes", "false_failures", "suspect_episodes", "agents_died",
        "load1_start", "load1_max", "load1_end"));
    header.addAll(Ratios.headers(variants, "suspects"));
    header.add("goal_met");
    BenchSupport.printTable(header, rows);
    String load = LoadAverage.report(load0);
    for (Result r : results) {
      System.out.printf(Locale.ROOT, "bench lifeguard hosts=%d minutes=%d variant=%s false_failures=%s suspect_episodes=%s agents_died=%d"
          + " load1_max=%s%s%n", hosts, minutes, r.timers().label(), r.converged() ? r.falseFailures() : "n/a",
          r.converged() ? r.suspectEpisodes() : "n/a", r.agentsDied(), BenchSupport.f2(r.load1Max()), load);
    }
    return ok;
  }

  private static double suspects(List<Result> results, TimerSet t) {
    return results.stream().filter(r -> r.timers() == t && r.converged()).findFirst().map(r -> (double) r.suspectEpisodes())
        .orElse(Double.NaN);
  }
}
