package io.vxmesh.lab.bench;

import io.vxmesh.lab.testbed.ContinuousPings;
import io.vxmesh.lab.testbed.Host;
import io.vxmesh.lab.testbed.PingResult;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every pod of {@code from} pings one target pod every 20 ms ({@code ping -D}, timestamps per
 * reply; -c, not -w: with a deadline ping exits at the first ICMP error) until {@link #close()}
 * kills them (by PID; only processes started here). Errors such as
 * "Destination Net Unreachable" before the routes exist are expected: only the first echo reply
 * of each pod counts. A ping that ends without a reply because it could not run (missing,
 * exit status 2, no summary) throws instead of reading as "never reached".
 */
final class PodPings implements AutoCloseable {
  private static final Pattern REPLY = Pattern.compile("^\\[(\\d+\\.\\d+)\\] \\d+ bytes from", Pattern.MULTILINE);
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> outputs = new ArrayList<>();
  private final List<String> targets = new ArrayList<>();

  private PodPings() {}

  static PodPings start(List<Host> from, Host target) {
    PodPings p = new PodPings();
    try {
      for (Host h : from) {
        Path out = Files.createTempFile("vxbench-ping", ".out");
        p.outputs.add(out);
        p.targets.add(target.spec().podIp().getHostAddress() + " from " + h.requirePod().ns());
        p.processes.add(new ProcessBuilder("ip", "netns", "exec", h.requirePod().ns(), "ping", "-n", "-D", "-i", "0.02",
            "-c", "3000", target.spec().podIp().getHostAddress())
            .redirectErrorStream(true).redirectOutput(out.toFile())
            .redirectInput(new File("/dev/null")).start());
      }
      return p;
    } catch (IOException e) {
      p.close();
      throw new IllegalStateException("cannot start ping: " + e.getMessage(), e);
    }
  }

  /**
   * Waits until every pinger saw a reply; returns the milliseconds from {@code wall0} to the
   * latest first reply (ping's own receive timestamp), or -1 when {@code timeout} from
   * {@code t0} (System.nanoTime) passed first or a pinger ended without any reply.
   */
  double awaitAll(Instant wall0, long t0, Duration timeout) {
    long deadline = t0 + timeout.toNanos();
    while (true) {
      double latest = 0;
      boolean all = true;
      for (int i = 0; i < outputs.size(); i++) {
        boolean ended = !processes.get(i).isAlive();
        String text = read(outputs.get(i)); // complete when read after the process ended
        double ms = firstReplyMs(text, wall0);
        if (ms < 0 && ended) {
          // No reply and none to come: throws unless ping ran to its summary (then it never got one).
          PingResult.of(targets.get(i), processes.get(i).exitValue(), text);
          return -1;
        }
        if (ms < 0) {
          all = false;
          break;
        }
        latest = Math.max(latest, ms);
      }
      if (all) {
        return latest;
      }
      if (System.nanoTime() > deadline) {
        return -1;
      }
      BenchSupport.sleep(10);
    }
  }

  /** Milliseconds from {@code wall0} to the first echo reply in {@code ping -D} output; -1 when none. */
  static double firstReplyMs(String pingOutput, Instant wall0) {
    Matcher m = REPLY.matcher(pingOutput);
    if (!m.find()) {
      return -1;
    }
    double epochMs = Double.parseDouble(m.group(1)) * 1000;
    return epochMs - (wall0.getEpochSecond() * 1000 + wall0.getNano() / 1e6);
  }

  private static String read(Path p) {
    return ContinuousPings.read(p);
  }

  @Override
  public void close() {
    ContinuousPings.killAndDelete(processes, outputs);
  }
}
