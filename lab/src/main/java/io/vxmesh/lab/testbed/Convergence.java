package io.vxmesh.lab.testbed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Whether the hosts of one {@link Testbed} have converged: a host is converged when its VTEP
 * holds {@code <podCidr> via <vtepIp>} for every other member; routes are programmed last
 * (neighbour, FDB, route), so they imply the rest. {@link #await} polls that, and fails at once
 * when a member's agent has exited (convergence can not come then).
 *
 * <p>Reads only ({@link KernelTables} and {@link Agents}); holds no state. Thread-safe.
 */
public final class Convergence {
  private final KernelTables tables;
  private final Agents agents;

  Convergence(KernelTables tables, Agents agents) {
    this.tables = tables;
    this.agents = agents;
  }

  /** Which routes each host lacks for the pods of the others (empty map: converged). */
  public Map<String, List<String>> missingRoutes(Collection<Host> members) {
    Map<String, List<String>> missing = new LinkedHashMap<>();
    for (Host h : members) {
      List<KernelTables.Route> have = tables.routes(h);
      for (Host o : members) {
        if (o.equals(h)) {
          continue;
        }
        String dst = o.spec().podCidr().toString();
        String via = o.spec().vtepIp().getHostAddress();
        boolean ok = have.stream().anyMatch(r -> dst.equals(r.dst()) && via.equals(r.gateway()));
        if (!ok) {
          missing.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(o.name() + " (" + dst + " via " + via + ")");
        }
      }
    }
    return missing;
  }

  /** True when every host of {@code members} has routes to the pods of all the others. */
  public boolean converged(Collection<Host> members) {
    return missingRoutes(members).isEmpty();
  }

  /**
   * Polls {@link #missingRoutes} every 200 ms until it is empty; reports "k/n hosts converged"
   * to {@code progress} whenever that changes. Throws with what is still missing at the deadline,
   * or at once when the latest agent started on a member host has exited.
   */
  public Duration await(Collection<Host> members, Duration timeout, Consumer<String> progress) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    String last = null;
    while (true) {
      failIfAnAgentDied(members);
      Map<String, List<String>> missing = missingRoutes(members);
      String line = (members.size() - missing.size()) + "/" + members.size() + " hosts have routes to every other pod";
      if (!line.equals(last)) {
        progress.accept(line);
        last = line;
      }
      if (missing.isEmpty()) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      if (System.nanoTime() >= deadline) {
        StringBuilder b = new StringBuilder("mesh did not converge within " + timeout.toMillis() + " ms:");
        missing.forEach((h, l) -> b.append(' ').append(h).append(" lacks routes to ").append(String.join(", ", l)).append(';'));
        throw new IllegalStateException(b.toString());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for convergence", e);
      }
    }
  }

  /** Convergence cannot come when a member's agent has exited: say so at once, with its log. */
  private void failIfAnAgentDied(Collection<Host> members) {
    for (Host h : members) {
      AgentProcess a = agents.latest(h);
      if (a != null && !a.isAlive()) {
        List<String> lines = a.log().lines().toList();
        OptionalInt code = a.awaitExit(Duration.ofSeconds(1));
        throw new IllegalStateException("agent " + h.name() + " exited " + (code.isPresent() ? code.getAsInt() : "?")
            + " (log " + a.logFile() + "); last lines:\n  "
            + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
      }
    }
  }
}
