package io.vxmesh.testbed;

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

  /** Parses iputils ping output; a run that never printed its summary counts as 0 of 0. */
  public static PingResult parse(String target, String output) {
    Matcher m = SUMMARY.matcher(output);
    int tx = 0;
    int rx = 0;
    if (m.find()) {
      tx = Integer.parseInt(m.group(1));
      rx = Integer.parseInt(m.group(2));
    }
    List<Integer> ttls = new ArrayList<>();
    Matcher t = TTL.matcher(output);
    while (t.find()) {
      ttls.add(Integer.parseInt(t.group(1)));
    }
    return new PingResult(target, tx, rx, ttls, output);
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
