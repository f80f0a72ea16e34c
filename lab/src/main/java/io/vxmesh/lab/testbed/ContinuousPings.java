package io.vxmesh.lab.testbed;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every pod of a set of hosts pings every other pod without pause (one {@code ping} process per
 * ordered pair, no count) while a test changes something, e.g. rotates the cluster key; then
 * {@link #stop()} ends them with SIGINT (by PID, only processes started here), and each pair
 * says which echo requests went unanswered. The last request before SIGINT may still be in
 * flight and is not counted, so a loss is a real gap, not the stop itself.
 *
 * <p>{@link #close()} kills whatever still runs and removes the output files, also when a test
 * failed before {@link #stop()}.
 */
public final class ContinuousPings implements AutoCloseable {
  private static final Pattern REPLY_SEQ = Pattern.compile("bytes from [^ ]+: icmp_seq=(\\d+) ttl=(\\d+)");

  /** One ordered pair's outcome: requests sent, and the sequence numbers never answered. */
  public record Pair(Host from, Host to, int transmitted, List<Integer> unanswered, Set<Integer> ttls) {
    public Pair {
      unanswered = List.copyOf(unanswered);
      ttls = Set.copyOf(ttls);
    }

    @Override
    public String toString() {
      return from.name() + "->" + to.name() + " sent=" + transmitted + " unanswered=" + unanswered + " ttls=" + ttls;
    }
  }

  private final List<Host> from = new ArrayList<>();
  private final List<Host> to = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> outputs = new ArrayList<>();

  private ContinuousPings() {}

  /** Starts one pinger per ordered pair of {@code members}' pods, one request every {@code interval}. */
  public static ContinuousPings start(List<Host> members, Duration interval) {
    ContinuousPings p = new ContinuousPings();
    String every = String.format(java.util.Locale.ROOT, "%.3f", interval.toMillis() / 1000.0);
    try {
      for (Host f : members) {
        for (Host t : members) {
          if (f.equals(t)) {
            continue;
          }
          Path out = Files.createTempFile("vxmesh-pings", ".out");
          p.outputs.add(out);
          p.from.add(f);
          p.to.add(t);
          p.processes.add(new ProcessBuilder("ip", "netns", "exec", f.requirePod().ns(), "ping", "-n", "-i", every,
              t.spec().podIp().getHostAddress())
              .redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(new File("/dev/null")).start());
        }
      }
      return p;
    } catch (IOException e) {
      p.close();
      throw new IllegalStateException("cannot start ping: " + e.getMessage(), e);
    }
  }

  /** Requests answered so far over all pairs (for progress and a "pings flow" check). */
  public int answeredSoFar() {
    int n = 0;
    for (Path out : outputs) {
      Matcher m = REPLY_SEQ.matcher(read(out));
      while (m.find()) {
        n++;
      }
    }
    return n;
  }

  /**
   * SIGINT to every pinger (ping prints its summary and exits), then the outcome per pair.
   * Throws when a ping did not run (see {@link PingResult#of}).
   */
  public List<Pair> stop() {
    for (Process pr : processes) {
      if (pr.isAlive()) {
        Exec.run(Duration.ofSeconds(5), List.of("kill", "-INT", Long.toString(pr.pid())));
      }
    }
    List<Pair> out = new ArrayList<>();
    for (int i = 0; i < processes.size(); i++) {
      Process pr = processes.get(i);
      try {
        if (!pr.waitFor(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("ping " + from.get(i).name() + "->" + to.get(i).name() + " ignored SIGINT");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      String text = read(outputs.get(i));
      PingResult r = PingResult.of(to.get(i).spec().podIp().getHostAddress(), pr.exitValue(), text);
      Set<Integer> answered = new TreeSet<>();
      Set<Integer> ttls = new TreeSet<>();
      Matcher m = REPLY_SEQ.matcher(text);
      while (m.find()) {
        answered.add(Integer.parseInt(m.group(1)));
        ttls.add(Integer.parseInt(m.group(2)));
      }
      List<Integer> unanswered = new ArrayList<>();
      for (int seq = 1; seq < r.transmitted(); seq++) { // the last one may be in flight at SIGINT
        if (!answered.contains(seq)) {
          unanswered.add(seq);
        }
      }
      out.add(new Pair(from.get(i), to.get(i), r.transmitted(), unanswered, ttls));
    }
    return out;
  }

  /** The output so far of a pinger writing to {@code p} ("" when unreadable). */
  public static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    killAndDelete(processes, outputs);
  }

  /** Kills {@code processes} (started by the caller) and deletes their output files; for pingers' close(). */
  public static void killAndDelete(List<Process> processes, List<Path> outputs) {
    for (Process pr : processes) {
      pr.destroyForcibly();
    }
    for (Process pr : processes) {
      try {
        pr.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Path p : outputs) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // a temp file left in /tmp is harmless
      }
    }
  }
}
