package io.vxmesh.lab.testbed;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The outcome of one {@code ping} run, parsed from iputils' output.
 *
 * @param ttls the TTL of every reply, in order (62 pod to remote pod, 63 host to remote pod)
 */
public record PingResult(String target, int transmitted, int received, List<Integer> ttls, String output) {
  private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");
  private static final Pattern TTL = Pattern.compile("ttl=(\\d+)");

  public PingResult {
    ttls = List.copyOf(ttls);
  }

  /**
   * The outcome of a finished {@code ping} run (its exit status and output). Throws when ping did
   * not run to its summary: it is missing, it failed (exit status 2, e.g. "connect: Network is
   * unreachable"), or it printed no "N packets transmitted, M received" line. Such a run says
   * nothing about reachability, so it must never read as "0 of 0 received", which a check that
   * something is unreachable would take as a pass.
   */
  public static PingResult of(String target, int exitStatus, String output) {
    if (exitStatus != 0 && exitStatus != 1) {
      throw new IllegalStateException("ping " + target + " did not run (exit status " + exitStatus + "): " + oneLine(output));
    }
    return parse(target, output);
  }

  /** {@link #of(String, int, String)} for an {@link Exec} run of ping; a timed-out run throws too. */
  public static PingResult of(String target, ExecResult r) {
    if (r.timedOut()) {
      throw new IllegalStateException("ping " + target + " did not finish: " + r.describeFailure());
    }
    return of(target, r.exitCode(), r.stdout() + r.stderr());
  }

  /** Parses iputils ping output; throws when it has no summary line (ping did not run to its end). */
  public static PingResult parse(String target, String output) {
    Matcher m = SUMMARY.matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("ping " + target + " printed no summary (did it run?): " + oneLine(output));
    }
    int tx = Integer.parseInt(m.group(1));
    int rx = Integer.parseInt(m.group(2));
    List<Integer> ttls = new ArrayList<>();
    Matcher t = TTL.matcher(output);
    while (t.find()) {
      ttls.add(Integer.parseInt(t.group(1)));
    }
    return new PingResult(target, tx, rx, ttls, output);
  }

  private static String oneLine(String output) {
    String s = output.strip().replaceAll("\\s*\\n\\s*", " | ");
    return s.isEmpty() ? "(no output)" : s;
  }

  public int lost() {
    return transmitted - received;
  }

  /** True when something was sent and every packet was answered. */
  public boolean allReceived() {
    return transmitted > 0 && received == transmitted;
  }

  /** The TTL of the first reply, or -1 when there was none. */
  public int ttl() {
    return ttls.isEmpty() ? -1 : ttls.get(0);
  }

  @Override
  public String toString() {
    return "ping " + target + ": " + received + "/" + transmitted + " received" + (ttls.isEmpty() ? "" : ", ttl " + ttl());
  }
}
